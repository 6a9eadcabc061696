/** /item/public_token/exchange, /item/get, /item/remove, /item/webhook/update, /item/access_token/invalidate */
import type {
  ItemAccessTokenInvalidateResponse,
  ItemGetResponse,
  ItemPublicTokenExchangeResponse,
  ItemRemoveResponse,
  ItemWebhookUpdateResponse,
} from "plaid";
import { endpoint, field, str, urlField } from "../http.js";
import { itemView, itemWithConsentView } from "../views.js";

const { req, opt } = field;

export const itemRoutes = [
  endpoint("/item/public_token/exchange", { public_token: req("string") }, ({ service, body }) => {
    const result = service.exchangePublicToken(str(body, "public_token")!);
    const response: Omit<ItemPublicTokenExchangeResponse, "request_id"> = result;
    return response;
  }),

  endpoint("/item/get", { access_token: req("string") }, ({ service, body }) => {
    const item = service.itemForAccessToken(str(body, "access_token")!, "any");
    const response: Omit<ItemGetResponse, "request_id"> = {
      item: itemWithConsentView(item),
      status: {
        // The emulator runs no Investments or Transactions updates: both objects are present with null timestamps.
        investments: { last_successful_update: null, last_failed_update: null },
        transactions: { last_successful_update: null, last_failed_update: null },
        last_webhook: item.last_webhook,
      },
    };
    return response;
  }),

  endpoint("/item/remove", { access_token: req("string"), reason_code: opt("string"), reason_note: opt("string") }, ({ service, body }) => {
    service.removeItem(str(body, "access_token")!);
    const response: Omit<ItemRemoveResponse, "request_id"> = {};
    return response;
  }),

  endpoint("/item/webhook/update", { access_token: req("string"), webhook: opt("string") }, ({ service, body }) => {
    const item = service.itemForAccessToken(str(body, "access_token")!, "any");
    service.setItemWebhook(item.item_id, urlField(str(body, "webhook"), "webhook"));
    // Plaid acknowledges the change at the new URL.
    service.sendWebhook(item, "ITEM", "WEBHOOK_UPDATE_ACKNOWLEDGED");
    const response: Omit<ItemWebhookUpdateResponse, "request_id"> = { item: itemView(item) };
    return response;
  }),

  endpoint("/item/access_token/invalidate", { access_token: req("string") }, ({ service, body }) => {
    const response: Omit<ItemAccessTokenInvalidateResponse, "request_id"> = {
      new_access_token: service.rotateAccessToken(str(body, "access_token")!),
    };
    return response;
  }),
];
