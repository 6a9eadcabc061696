/**
 * /processor/token/create, /processor/stripe/bank_account_token/create,
 * /processor/token/permissions/set, /processor/token/permissions/get
 */
import type {
  ProcessorStripeBankAccountTokenCreateResponse,
  ProcessorTokenCreateResponse,
  ProcessorTokenPermissionsGetResponse,
  ProcessorTokenPermissionsSetResponse,
  Products,
} from "plaid";
import { endpoint, field, str, strings } from "../http.js";
import { PROCESSORS, PRODUCTS } from "../spec-enums.js";

const { req } = field;

export const processorRoutes = [
  endpoint(
    "/processor/token/create",
    { access_token: req("string"), account_id: req("string"), processor: req("string", { enum: PROCESSORS }) },
    ({ service, body }) => {
      const record = service.createProcessorToken(str(body, "access_token")!, str(body, "account_id")!, str(body, "processor")!);
      const response: Omit<ProcessorTokenCreateResponse, "request_id"> = { processor_token: record.processor_token };
      return response;
    },
  ),

  endpoint(
    "/processor/stripe/bank_account_token/create",
    { access_token: req("string"), account_id: req("string") },
    ({ service, body }) => {
      const token = service.createStripeBankAccountToken(str(body, "access_token")!, str(body, "account_id")!);
      const response: Omit<ProcessorStripeBankAccountTokenCreateResponse, "request_id"> = { stripe_bank_account_token: token };
      return response;
    },
  ),

  endpoint(
    "/processor/token/permissions/set",
    { processor_token: req("string"), products: req("string[]", { enum: PRODUCTS }) },
    ({ service, body }) => {
      service.setProcessorPermissions(str(body, "processor_token")!, strings(body, "products")!);
      const response: Omit<ProcessorTokenPermissionsSetResponse, "request_id"> = {};
      return response;
    },
  ),

  endpoint("/processor/token/permissions/get", { processor_token: req("string") }, ({ service, body }) => {
    const record = service.requireProcessorToken(str(body, "processor_token")!);
    const response: Omit<ProcessorTokenPermissionsGetResponse, "request_id"> = { products: record.products as Products[] };
    return response;
  }),
];
