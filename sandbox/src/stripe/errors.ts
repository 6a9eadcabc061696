/**
 * Stripe's error object and the statuses Stripe answers with. Handlers throw
 * StripeApiError; the router turns it into `{ error: { ... } }`.
 */
export type StripeErrorType = "api_error" | "card_error" | "idempotency_error" | "invalid_request_error" | "authentication_error";

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  request_log_url?: string;
  /** On a failed confirmation: the intent and payment method as they are now. */
  payment_intent?: object;
  setup_intent?: object;
  payment_method?: object;
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }
}

export function invalidRequest(message: string, options: { param?: string; code?: string; status?: number } = {}): StripeApiError {
  return new StripeApiError(options.status ?? 400, {
    type: "invalid_request_error",
    message,
    ...(options.code ? { code: options.code } : {}),
    ...(options.param ? { param: options.param } : {}),
  });
}

export function parameterMissing(param: string): StripeApiError {
  return invalidRequest(`Missing required param: ${param}.`, { param, code: "parameter_missing" });
}

export function parameterUnknown(param: string): StripeApiError {
  return invalidRequest(`Received unknown parameter: ${param}`, { param, code: "parameter_unknown" });
}

/** 404 "No such customer: 'cus_x'", as Stripe words it (`noun` is e.g. "customer", "token"). */
export function resourceMissing(noun: string, id: string, param?: string): StripeApiError {
  return invalidRequest(`No such ${noun}: '${id}'`, { param, code: "resource_missing", status: 404 });
}
