/**
 * Plaid API emulator: every endpoint is POST /<path> with a JSON body (see
 * routes/). Control actions (POST /__sandbox/plaid/<action>) let tests drive
 * what Plaid's dashboard or time would. The service layer (service.ts) is
 * shared with the Link stand-in: see README.md.
 */
import type { SandboxContext, SandboxModule } from "../core/context.js";
import type { Handler } from "../core/http.js";
import { runEndpoint, type PlaidEndpoint } from "./http.js";
import { accountRoutes } from "./routes/accounts.js";
import { itemRoutes } from "./routes/items.js";
import { linkRoutes } from "./routes/link.js";
import { miscRoutes } from "./routes/misc.js";
import { processorRoutes } from "./routes/processor.js";
import { sandboxRoutes } from "./routes/sandbox.js";
import { DAY, getPlaidService, HOUR, MINUTE } from "./service.js";
import { plaidState } from "./state.js";

export const PLAID_ENDPOINTS: PlaidEndpoint[] = [
  ...linkRoutes,
  ...itemRoutes,
  ...accountRoutes,
  ...processorRoutes,
  ...sandboxRoutes,
  ...miscRoutes,
];

function text(body: Record<string, unknown>, name: string, fallback?: string): string {
  const value = body[name];
  if (typeof value === "string" && value !== "") return value;
  if (fallback !== undefined) return fallback;
  throw new Error(`${name} is required`);
}

function optionalText(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The item a Plaid API request is about (its body's `access_token`), for item-scoped fault rules. */
export function plaidItemOfRequest(context: SandboxContext, rawBody: Buffer): string | null {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString("utf8"));
  } catch {
    return null;
  }
  if (typeof body !== "object" || body === null) return null;
  const accessToken = (body as { access_token?: unknown }).access_token;
  if (typeof accessToken === "string") return plaidState(context).access_tokens[accessToken]?.item_id ?? null;
  return null;
}

export function createPlaidModule(context: SandboxContext): SandboxModule {
  const service = getPlaidService(context);
  const handlers = new Map<string, Handler>(PLAID_ENDPOINTS.map((ep) => [ep.path, (req) => runEndpoint(ep, service, req)]));

  const newPublicToken = (body: Record<string, unknown>) => {
    const products = Array.isArray(body.products) ? (body.products as string[]) : ["auth"];
    const record = service.sandboxPublicToken({
      institution_id: text(body, "institution_id", "ins_109508"),
      initial_products: products,
      webhook: optionalText(body, "webhook") ?? null,
      username: optionalText(body, "username"),
      password: optionalText(body, "password"),
    });
    return record;
  };

  return {
    name: "plaid",
    route(method, path) {
      if (method !== "POST") return undefined;
      return handlers.get(path);
    },
    control: {
      /** { institution_id?, username?, password?, webhook?, products? } → { public_token, item_id } (skips Link). */
      public_token: (body) => {
        const record = newPublicToken(body);
        return { public_token: record.public_token, item_id: record.item_id };
      },
      /** Same as public_token, already exchanged → { access_token, item_id, accounts }. */
      item: (body) => {
        const record = newPublicToken(body);
        const { access_token, item_id } = service.exchangePublicToken(record.public_token);
        const item = service.getItem(item_id);
        return {
          access_token,
          item_id,
          accounts: item.accounts.map((a) => ({ account_id: a.account_id, name: a.name, mask: a.mask, type: a.type, subtype: a.subtype })),
        };
      },
      /** { item_id, webhook_type?, webhook_code }: sends the webhook and simulates the event (ITEM ERROR / LOGIN_REPAIRED change the item). */
      fire_webhook: (body) => {
        const delivery = service.fireWebhook(text(body, "item_id"), optionalText(body, "webhook_type"), text(body, "webhook_code"), {
          simulate: true,
        });
        return { delivery_id: delivery.id, url: delivery.url, type: delivery.type };
      },
      /** { item_id } → item in ITEM_LOGIN_REQUIRED, ITEM ERROR webhook fired. */
      reset_login: (body) => {
        const item = service.resetLogin(text(body, "item_id"));
        return { item_id: item.item_id, error_code: item.error?.error_code ?? null };
      },
      /** { item_id, webhook } sets (or with webhook null clears) the item's webhook URL. */
      set_webhook: (body) => {
        const item = service.setItemWebhook(text(body, "item_id"), optionalText(body, "webhook") ?? null);
        return { item_id: item.item_id, webhook: item.webhook };
      },
      /** { account_id, available?, current? } changes an account's balances (any item). */
      set_balance: (body) => {
        const accountId = text(body, "account_id");
        for (const item of Object.values(service.state.items)) {
          const account = item.accounts.find((a) => a.account_id === accountId);
          if (!account) continue;
          if (typeof body.available === "number" || body.available === null) account.balances.available = body.available as number | null;
          if (typeof body.current === "number" || body.current === null) account.balances.current = body.current as number | null;
          context.store.changed();
          return { account_id: accountId, balances: account.balances };
        }
        throw new Error(`no account ${accountId}`);
      },
      /** { ms?, seconds?, minutes?, hours?, days? } moves the Plaid clock forward (token lifetimes, 30-day re-login). */
      advance_time: (body) => {
        const n = (name: string) => (typeof body[name] === "number" ? (body[name] as number) : 0);
        return service.advanceTime(n("ms") + n("seconds") * 1000 + n("minutes") * MINUTE + n("hours") * HOUR + n("days") * DAY);
      },
      /** { account_select?: "one" | "multiple" | "all" } → the Link settings (Plaid's Dashboard: Account Select). */
      link_settings: (body) => service.setLinkSettings(body),
      /** Expires the current webhook signing key and creates a new one. */
      rotate_webhook_key: () => service.rotateWebhookKey(),
    },
    inspect: () => service.inspect(),
  };
}
