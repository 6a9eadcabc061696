/** Response objects built from state, typed with the official SDK's types. */
import type {
  AccountBase,
  AccountIdentity,
  AccountSubtype,
  AccountType,
  Institution,
  Item,
  ItemWithConsentFields,
  NumbersACH,
  Owner,
  Products,
  CountryCode,
  ProductStatus,
  ItemUpdateTypeEnum,
  ItemWithConsentFieldsUpdateTypeEnum,
  LinkSessionSuccessMetadata,
  LinkTokenGetSessionsResponse,
} from "plaid";
import { ITEM_AVAILABLE_PRODUCTS, type SandboxInstitution } from "./sandbox-data.js";
import type { AccountRecord, ItemRecord, LinkTokenRecord } from "./state.js";

export function itemView(item: ItemRecord): Item {
  const billed = item.products as Products[];
  return {
    item_id: item.item_id,
    institution_id: item.institution_id,
    institution_name: item.institution_name,
    webhook: item.webhook,
    auth_method: item.products.includes("auth") ? ("INSTANT_AUTH" as Item["auth_method"]) : null,
    error: item.error,
    available_products: ITEM_AVAILABLE_PRODUCTS.filter((p) => !item.products.includes(p)) as Products[],
    billed_products: billed,
    products: billed,
    consented_products: billed,
    consent_expiration_time: null,
    update_type: "background" as ItemUpdateTypeEnum,
  };
}

export function itemWithConsentView(item: ItemRecord): ItemWithConsentFields {
  return { ...itemView(item), update_type: "background" as ItemWithConsentFieldsUpdateTypeEnum, created_at: item.created_at };
}

export function accountView(account: AccountRecord): AccountBase {
  return {
    account_id: account.account_id,
    balances: {
      available: account.balances.available,
      current: account.balances.current,
      limit: account.balances.limit,
      iso_currency_code: account.balances.iso_currency_code,
      unofficial_currency_code: account.balances.unofficial_currency_code,
    },
    mask: account.mask,
    name: account.name,
    official_name: account.official_name,
    type: account.type as AccountType,
    subtype: account.subtype as AccountSubtype | null,
  };
}

export function balanceAccountView(account: AccountRecord): AccountBase {
  const view = accountView(account);
  return { ...view, balances: { ...view.balances, last_updated_datetime: null } };
}

export function identityAccountView(account: AccountRecord): AccountIdentity {
  // AccountIdentity's enums are distinct types from AccountBase's: copy without verification_status.
  const { verification_status: _ignored, ...base } = accountView(account);
  return { ...base, owners: account.owners as Owner[] };
}

export function achNumbersView(account: AccountRecord): NumbersACH | null {
  if (!account.numbers) return null;
  return {
    account_id: account.account_id,
    account: account.numbers.account,
    routing: account.numbers.routing,
    wire_routing: account.numbers.wire_routing,
    is_tokenized_account_number: false,
  };
}

function productStatus(health: SandboxInstitution["health"]): ProductStatus {
  const success = health === "HEALTHY" ? 0.99 : health === "DEGRADED" ? 0.6 : 0.01;
  return {
    status: health as ProductStatus["status"],
    last_status_change: "2024-01-01T00:00:00Z",
    breakdown: { success, error_plaid: 0.005, error_institution: Number((1 - success - 0.005).toFixed(3)) },
  };
}

export function institutionView(
  institution: SandboxInstitution,
  options: { includeOptionalMetadata: boolean; includeStatus: boolean },
): Institution {
  const view: Institution = {
    institution_id: institution.institution_id,
    name: institution.name,
    products: institution.products as Products[],
    country_codes: institution.country_codes as CountryCode[],
    routing_numbers: institution.routing_numbers,
    oauth: institution.oauth,
    dtc_numbers: [],
  };
  if (options.includeOptionalMetadata) {
    view.url = institution.url;
    view.primary_color = institution.primary_color;
    view.logo = null;
  }
  if (options.includeStatus) {
    const status = productStatus(institution.health);
    view.status = {
      item_logins: status,
      transactions_updates: status,
      auth: status,
      identity: status,
      investments_updates: status,
      liabilities_updates: status,
      liabilities: status,
      investments: status,
      health_incidents: [],
    };
  }
  return view;
}

/** /link/token/get's link_sessions: absent until Link has been opened with the token. */
export function linkSessionsView(record: LinkTokenRecord): LinkTokenGetSessionsResponse[] | undefined {
  if (!record.sessions || record.sessions.length === 0) return undefined;
  return record.sessions.map((session) => {
    const success = session.success;
    const metadata = success?.metadata as LinkSessionSuccessMetadata | undefined;
    return {
      link_session_id: session.link_session_id,
      started_at: new Date(session.started_at).toISOString(),
      finished_at: session.finished_at === null ? null : new Date(session.finished_at).toISOString(),
      ...(success && metadata
        ? {
            on_success: { public_token: success.public_token, metadata },
            results: {
              item_add_results: [
                { public_token: success.public_token, accounts: metadata.accounts ?? [], institution: metadata.institution ?? null },
              ],
              cra_item_add_results: [],
              cra_update_results: [],
              bank_income_results: [],
              payroll_income_results: [],
              document_income_results: null,
            },
          }
        : {}),
    };
  });
}
