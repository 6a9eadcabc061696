/**
 * Sandbox-only endpoints: /sandbox/public_token/create,
 * /sandbox/processor_token/create, /sandbox/item/reset_login,
 * /sandbox/item/fire_webhook
 */
import type {
  SandboxItemFireWebhookResponse,
  SandboxItemResetLoginResponse,
  SandboxProcessorTokenCreateResponse,
  SandboxPublicTokenCreateResponse,
} from "plaid";
import { PlaidApiError } from "../errors.js";
import { endpoint, field, nested, str, strings, urlField } from "../http.js";
import { PRODUCTS } from "../spec-enums.js";

const { req, opt } = field;

const FIRE_WEBHOOK_CODES = [
  "DEFAULT_UPDATE",
  "NEW_ACCOUNTS_AVAILABLE",
  "SMS_MICRODEPOSITS_VERIFICATION",
  "AUTHORIZATION_GRANTED",
  "USER_PERMISSION_REVOKED",
  "USER_ACCOUNT_REVOKED",
  "PENDING_DISCONNECT",
  "RECURRING_TRANSACTIONS_UPDATE",
  "LOGIN_REPAIRED",
  "SYNC_UPDATES_AVAILABLE",
  "PRODUCT_READY",
  "ERROR",
] as const;
const WEBHOOK_TYPES = ["AUTH", "HOLDINGS", "INVESTMENTS_TRANSACTIONS", "ITEM", "LIABILITIES", "TRANSACTIONS", "ASSETS"] as const;

export const sandboxRoutes = [
  endpoint(
    "/sandbox/public_token/create",
    {
      institution_id: req("string"),
      initial_products: req("string[]", { enum: PRODUCTS }),
      options: opt("object"),
      user_token: opt("string"),
      user_id: opt("string"),
    },
    ({ service, body }) => {
      const products = strings(body, "initial_products")!;
      if (products.length === 0) throw new PlaidApiError("INVALID_FIELD", "initial_products must contain at least one product");
      const options = nested(body, "options", {
        webhook: opt("string"),
        override_username: opt("string"),
        override_password: opt("string"),
        transactions: opt("object"),
        statements: opt("object"),
        income_verification: opt("object"),
      });
      const record = service.sandboxPublicToken({
        institution_id: str(body, "institution_id")!,
        initial_products: products,
        webhook: urlField(options.webhook as string | undefined, "options.webhook"),
        username: options.override_username as string | undefined,
        password: options.override_password as string | undefined,
      });
      const response: Omit<SandboxPublicTokenCreateResponse, "request_id"> = { public_token: record.public_token };
      return response;
    },
  ),

  endpoint("/sandbox/processor_token/create", { institution_id: req("string"), options: opt("object") }, ({ service, body }) => {
    const options = nested(body, "options", { override_username: opt("string"), override_password: opt("string") });
    const record = service.sandboxProcessorToken({
      institution_id: str(body, "institution_id")!,
      username: options.override_username as string | undefined,
      password: options.override_password as string | undefined,
    });
    const response: Omit<SandboxProcessorTokenCreateResponse, "request_id"> = { processor_token: record.processor_token };
    return response;
  }),

  endpoint("/sandbox/item/reset_login", { access_token: req("string") }, ({ service, body }) => {
    const item = service.itemForAccessToken(str(body, "access_token")!, "any");
    service.resetLogin(item.item_id);
    const response: Omit<SandboxItemResetLoginResponse, "request_id"> = { reset_login: true };
    return response;
  }),

  endpoint(
    "/sandbox/item/fire_webhook",
    {
      access_token: req("string"),
      webhook_type: opt("string", { enum: WEBHOOK_TYPES }),
      webhook_code: req("string", { enum: FIRE_WEBHOOK_CODES }),
    },
    ({ service, body }) => {
      const item = service.itemForAccessToken(str(body, "access_token")!, "any");
      service.fireWebhook(item.item_id, str(body, "webhook_type"), str(body, "webhook_code")!, { simulate: false });
      const response: Omit<SandboxItemFireWebhookResponse, "request_id"> = { webhook_fired: true };
      return response;
    },
  ),
];
