/** /accounts/get, /accounts/balance/get, /auth/get, /identity/get */
import type { AccountsGetResponse, AuthGetResponse, IdentityGetResponse, NumbersACH } from "plaid";
import { PlaidApiError } from "../errors.js";
import { endpoint, field, nested, str, type Body } from "../http.js";
import type { PlaidService } from "../service.js";
import { accountView, achNumbersView, balanceAccountView, identityAccountView, itemView } from "../views.js";

const { req, opt } = field;

function accountIds(body: Body, extra: Record<string, ReturnType<typeof opt>> = {}): string[] | undefined {
  const options = nested(body, "options", { account_ids: opt("string[]"), ...extra });
  return options.account_ids as string[] | undefined;
}

function load(service: PlaidService, body: Body, extra: Record<string, ReturnType<typeof opt>> = {}) {
  const ids = accountIds(body, extra);
  const item = service.itemForAccessToken(str(body, "access_token")!, "data");
  return { item, accounts: service.selectAccounts(item, ids), explicit: ids !== undefined };
}

const fields = { access_token: req("string"), options: opt("object") };

export const accountRoutes = [
  endpoint("/accounts/get", fields, ({ service, body }) => {
    const { item, accounts } = load(service, body);
    const response: Omit<AccountsGetResponse, "request_id"> = { accounts: accounts.map(accountView), item: itemView(item) };
    return response;
  }),

  endpoint("/accounts/balance/get", fields, ({ service, body }) => {
    const { item, accounts } = load(service, body, { min_last_updated_datetime: opt("string") });
    service.useProduct(item, "balance");
    const response: Omit<AccountsGetResponse, "request_id"> = { accounts: accounts.map(balanceAccountView), item: itemView(item) };
    return response;
  }),

  endpoint("/auth/get", fields, ({ service, body }) => {
    const { item, accounts, explicit } = load(service, body);
    const withNumbers = explicit ? accounts : accounts.filter((a) => a.numbers !== null);
    const ach = withNumbers.map(achNumbersView).filter((n): n is NumbersACH => n !== null);
    if (ach.length === 0) throw new PlaidApiError("NO_AUTH_ACCOUNTS");
    service.useProduct(item, "auth");
    const response: Omit<AuthGetResponse, "request_id"> = {
      accounts: withNumbers.map(accountView),
      numbers: { ach, eft: [], international: [], bacs: [] },
      item: itemView(item),
    };
    return response;
  }),

  endpoint("/identity/get", fields, ({ service, body }) => {
    const { item, accounts } = load(service, body);
    service.useProduct(item, "identity");
    const response: Omit<IdentityGetResponse, "request_id"> = { accounts: accounts.map(identityAccountView), item: itemView(item) };
    return response;
  }),
];
