/** /link/token/create, /link/token/get */
import type { CountryCode, LinkTokenCreateResponse, LinkTokenGetResponse, Products } from "plaid";
import { PlaidApiError } from "../errors.js";
import { endpoint, field, nested, str, strings, urlField, validateFields, type Body, type FieldSpec } from "../http.js";
import { linkSessionsView } from "../views.js";
import {
  ACCOUNT_FILTER_TYPES,
  COUNTRY_CODES,
  DEPOSITORY_SUBTYPES,
  LINK_LANGUAGES,
  LINK_TOKEN_CREATE_FIELDS,
  PRODUCTS,
} from "../spec-enums.js";

const { req, opt } = field;

// Every field of LinkTokenCreateRequest is accepted (so no valid request gets UNKNOWN_FIELDS);
// the ones the emulator uses are type-checked.
const createFields: Record<string, FieldSpec> = {
  ...Object.fromEntries(LINK_TOKEN_CREATE_FIELDS.map((f) => [f, opt("any")])),
  client_name: req("string"),
  language: req("string", { enum: LINK_LANGUAGES }),
  country_codes: req("string[]", { enum: COUNTRY_CODES }),
  user: req("object"),
  products: opt("string[]", { enum: PRODUCTS }),
  required_if_supported_products: opt("string[]", { enum: PRODUCTS }),
  optional_products: opt("string[]", { enum: PRODUCTS }),
  additional_consented_products: opt("string[]", { enum: PRODUCTS }),
  webhook: opt("string"),
  access_token: opt("string"),
  redirect_uri: opt("string"),
  account_filters: opt("object"),
  update: opt("object"),
  institution_id: opt("string"),
};

/** account_filters: known account types only, each `{ account_subtypes: string[] }`; depository subtypes per the spec's enum. */
function accountFilters(body: Body): Body | null {
  const filters = nested(body, "account_filters", Object.fromEntries(ACCOUNT_FILTER_TYPES.map((t) => [t, opt("object")])));
  for (const type of ACCOUNT_FILTER_TYPES) {
    if (filters[type] === undefined || filters[type] === null) continue;
    const filter = filters[type] as Body;
    validateFields(
      filter,
      {
        account_subtypes: req("string[]", type === "depository" ? { enum: DEPOSITORY_SUBTYPES } : {}),
        limited_purpose_types: opt("string[]"),
      },
      `account_filters.${type}.`,
    );
  }
  return body.account_filters === undefined || body.account_filters === null ? null : filters;
}

export const linkRoutes = [
  endpoint("/link/token/create", createFields, ({ service, body }) => {
    if (str(body, "language")!.length === 0) throw new PlaidApiError("INVALID_FIELD", "language must not be empty");
    if (strings(body, "country_codes")!.length === 0)
      throw new PlaidApiError("INVALID_FIELD", "country_codes must contain at least one country code");
    const user = body.user as Record<string, unknown>;
    if (typeof user.client_user_id !== "string" || user.client_user_id === "") {
      throw new PlaidApiError("MISSING_FIELDS", "the following required fields are missing: user.client_user_id");
    }
    const update = nested(body, "update", {
      account_selection_enabled: opt("boolean"),
      reauthorization_enabled: opt("boolean"),
      user: opt("boolean"),
      item_ids: opt("string[]"),
    });
    const redirect = str(body, "redirect_uri");
    const record = service.createLinkToken({
      client_name: str(body, "client_name")!,
      language: str(body, "language")!,
      country_codes: strings(body, "country_codes")!,
      // required_if_supported_products count as products here (the sandbox institutions support them all).
      products: [...(strings(body, "products") ?? []), ...(strings(body, "required_if_supported_products") ?? [])],
      webhook: urlField(str(body, "webhook"), "webhook"),
      redirect_uri: redirect ? urlField(redirect, "redirect_uri") : null,
      client_user_id: user.client_user_id,
      access_token: str(body, "access_token") ?? null,
      account_filters: accountFilters(body),
      account_selection_enabled: update.account_selection_enabled === true,
      institution_id: str(body, "institution_id") ?? null,
    });
    const response: Omit<LinkTokenCreateResponse, "request_id"> = {
      link_token: record.link_token,
      expiration: new Date(record.expires_at).toISOString(),
    };
    return response;
  }),

  endpoint("/link/token/get", { link_token: req("string") }, ({ service, body }) => {
    const record = service.requireLinkToken(str(body, "link_token")!);
    const response: Omit<LinkTokenGetResponse, "request_id"> = {
      link_token: record.link_token,
      created_at: new Date(record.created_at).toISOString(),
      expiration: new Date(record.expires_at).toISOString(),
      link_sessions: linkSessionsView(record),
      metadata: {
        initial_products: record.products as Products[],
        webhook: record.webhook,
        country_codes: record.country_codes as CountryCode[],
        language: record.language,
        redirect_uri: record.redirect_uri,
        client_name: record.client_name,
        ...(record.account_filters ? { account_filters: record.account_filters as object } : {}),
      },
    };
    return response;
  }),
];
