/**
 * PlaidError objects as the API returns them. Messages follow Plaid's
 * documentation (lower-case error_message, user-facing display_message).
 */
import type { PlaidError, PlaidErrorType } from "plaid";

/** The PlaidError body without request_id (added when it is sent). */
export type PlaidErrorBody = Omit<PlaidError, "request_id">;

interface CatalogEntry {
  type: string;
  status: number;
  message: string;
  display: string | null;
}

const LOGIN_REQUIRED_MSG =
  "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state";
const INSTITUTION_DOWN_MSG = "this institution is not currently responding to this request. please try again soon";
const INSTITUTION_DOWN_DISPLAY = "This financial institution is not currently responding to requests. We apologize for the inconvenience.";

export const ERROR_CATALOG: Record<string, CatalogEntry> = {
  // INVALID_REQUEST
  MISSING_FIELDS: { type: "INVALID_REQUEST", status: 400, message: "the following required fields are missing", display: null },
  UNKNOWN_FIELDS: {
    type: "INVALID_REQUEST",
    status: 400,
    message: "the following fields are not recognized by this endpoint",
    display: null,
  },
  INVALID_FIELD: { type: "INVALID_REQUEST", status: 400, message: "one or more fields were invalid", display: null },
  INVALID_BODY: { type: "INVALID_REQUEST", status: 400, message: "body could not be parsed as JSON", display: null },
  NOT_FOUND: { type: "INVALID_REQUEST", status: 404, message: "not found", display: null },
  // INVALID_INPUT
  INVALID_API_KEYS: { type: "INVALID_INPUT", status: 400, message: "invalid client_id or secret provided", display: null },
  INVALID_ACCESS_TOKEN: { type: "INVALID_INPUT", status: 400, message: "could not find matching access token", display: null },
  INVALID_PUBLIC_TOKEN: { type: "INVALID_INPUT", status: 400, message: "could not find matching public token", display: null },
  INVALID_LINK_TOKEN: { type: "INVALID_INPUT", status: 400, message: "could not find matching link token", display: null },
  INVALID_PROCESSOR_TOKEN: { type: "INVALID_INPUT", status: 400, message: "could not find matching processor token", display: null },
  INVALID_ACCOUNT_ID: { type: "INVALID_INPUT", status: 400, message: "one or more of the account IDs is invalid", display: null },
  INVALID_INSTITUTION: { type: "INVALID_INPUT", status: 400, message: "invalid institution_id provided", display: null },
  INVALID_PRODUCT: {
    type: "INVALID_INPUT",
    status: 400,
    message: "client is not authorized to access the following products",
    display: null,
  },
  INVALID_STRIPE_ACCOUNT: {
    type: "INVALID_INPUT",
    status: 400,
    message: "the Stripe account linked to this client is invalid or rejected the bank account",
    display: null,
  },
  INVALID_WEBHOOK_VERIFICATION_KEY_ID: { type: "INVALID_INPUT", status: 400, message: "invalid key_id provided", display: null },
  // ITEM_ERROR
  ITEM_LOGIN_REQUIRED: { type: "ITEM_ERROR", status: 400, message: LOGIN_REQUIRED_MSG, display: null },
  ITEM_NOT_FOUND: {
    type: "ITEM_ERROR",
    status: 400,
    message:
      "the Item you requested cannot be found. This Item does not exist, has been previously removed via /item/remove, or has had access removed by the user",
    display: null,
  },
  INVALID_CREDENTIALS: {
    type: "ITEM_ERROR",
    status: 400,
    message: "the provided credentials were not correct",
    display: "The provided credentials were not correct. Please try again.",
  },
  INVALID_MFA: {
    type: "ITEM_ERROR",
    status: 400,
    message: "the provided MFA response(s) were not correct",
    display: "The provided MFA responses were not correct. Please try again.",
  },
  INVALID_SEND_METHOD: { type: "ITEM_ERROR", status: 400, message: "the provided MFA send_method was invalid", display: null },
  INVALID_UPDATED_USERNAME: {
    type: "ITEM_ERROR",
    status: 400,
    message: "the username entered does not match the username for the given Item",
    display: "The username provided does not match the username for this account.",
  },
  ITEM_LOCKED: {
    type: "ITEM_ERROR",
    status: 400,
    message: "the account is locked. prompt the user to visit the institution's site and unlock their account",
    display:
      "The given account has been locked by the financial institution. Please visit your financial institution's website to unlock your account.",
  },
  ITEM_NOT_SUPPORTED: {
    type: "ITEM_ERROR",
    status: 400,
    message: "this account is currently not supported",
    display: "Account not currently supported",
  },
  INSUFFICIENT_CREDENTIALS: {
    type: "ITEM_ERROR",
    status: 400,
    message: "insufficient authorization was provided to complete the request",
    display: "Please complete the authentication with your bank to continue.",
  },
  MFA_NOT_SUPPORTED: {
    type: "ITEM_ERROR",
    status: 400,
    message: "this account requires a form of MFA that is not currently supported",
    display:
      "The multi-factor security features enabled on this account are not currently supported for this financial institution. We apologize for the inconvenience.",
  },
  NO_ACCOUNTS: {
    type: "ITEM_ERROR",
    status: 400,
    message: "no valid accounts were found for this item",
    display:
      "No valid accounts were found at the financial institution. Please visit your financial institution's website to confirm accounts are available.",
  },
  NO_AUTH_ACCOUNTS: {
    type: "ITEM_ERROR",
    status: 400,
    message: "no valid checking or savings account(s) found",
    display: "None of your accounts are supported for this use. Please connect a checking or savings account.",
  },
  NO_IDENTITY_ACCOUNTS: { type: "ITEM_ERROR", status: 400, message: "no valid accounts with identity data found", display: null },
  PASSWORD_RESET_REQUIRED: {
    type: "ITEM_ERROR",
    status: 400,
    message: "user must reset their password before the item can be updated",
    display: "Your password needs to be reset. Please visit your financial institution's website to reset your password.",
  },
  USER_SETUP_REQUIRED: {
    type: "ITEM_ERROR",
    status: 400,
    message: "the account has not been fully set up. prompt the user to visit the issuing institution's site and finish the setup process",
    display: "The given account is not fully setup. Please visit your financial institution's website to setup your account.",
  },
  USER_INPUT_TIMEOUT: {
    type: "ITEM_ERROR",
    status: 400,
    message: "user must retry this operation",
    display: "The application timed out waiting for user input",
  },
  PRODUCT_NOT_READY: {
    type: "ITEM_ERROR",
    status: 400,
    message: "the requested product is not yet ready. please provide a webhook or try the request again later",
    display: null,
  },
  PRODUCTS_NOT_SUPPORTED: {
    type: "ITEM_ERROR",
    status: 400,
    message: "the requested product is not supported by this institution",
    display: null,
  },
  ACCESS_NOT_GRANTED: {
    type: "ITEM_ERROR",
    status: 400,
    message: "the user did not grant the necessary permissions for their account",
    display: null,
  },
  USER_PERMISSION_REVOKED: {
    type: "ITEM_ERROR",
    status: 400,
    message: "the user has revoked access to this item",
    display: "The user has revoked their permissions to share data with this application.",
  },
  // INSTITUTION_ERROR
  INSTITUTION_DOWN: { type: "INSTITUTION_ERROR", status: 400, message: INSTITUTION_DOWN_MSG, display: INSTITUTION_DOWN_DISPLAY },
  INSTITUTION_NOT_RESPONDING: { type: "INSTITUTION_ERROR", status: 400, message: INSTITUTION_DOWN_MSG, display: INSTITUTION_DOWN_DISPLAY },
  INSTITUTION_NOT_AVAILABLE: { type: "INSTITUTION_ERROR", status: 400, message: INSTITUTION_DOWN_MSG, display: INSTITUTION_DOWN_DISPLAY },
  INSTITUTION_NO_LONGER_SUPPORTED: {
    type: "INSTITUTION_ERROR",
    status: 400,
    message: "this institution is no longer supported",
    display: "This financial institution is not currently supported.",
  },
  INSTITUTION_REGISTRATION_REQUIRED: {
    type: "INSTITUTION_ERROR",
    status: 400,
    message: "this institution requires registration",
    display: null,
  },
  UNAUTHORIZED_INSTITUTION: {
    type: "INSTITUTION_ERROR",
    status: 400,
    message: "you are not authorized to create items for this institution",
    display: null,
  },
  // SANDBOX_ERROR
  SANDBOX_WEBHOOK_INVALID: {
    type: "SANDBOX_ERROR",
    status: 400,
    message: "the webhook for this item is not set or is invalid",
    display: null,
  },
  SANDBOX_PRODUCT_NOT_ENABLED: {
    type: "SANDBOX_ERROR",
    status: 400,
    message: "the requested product is not enabled for this item",
    display: null,
  },
  // API_ERROR
  INTERNAL_SERVER_ERROR: { type: "API_ERROR", status: 500, message: "an unexpected error occurred", display: null },
};

const DOC_PATH: Record<string, string> = {
  INVALID_REQUEST: "invalid-request",
  INVALID_INPUT: "invalid-input",
  ITEM_ERROR: "item",
  INSTITUTION_ERROR: "institution",
  SANDBOX_ERROR: "sandbox",
  API_ERROR: "api",
};

/** Builds the PlaidError for a catalogued code; `message` replaces the default error_message. */
export function plaidError(code: string, message?: string): PlaidErrorBody {
  const entry = ERROR_CATALOG[code] ?? { type: "ITEM_ERROR", status: 400, message: code.toLowerCase().replace(/_/g, " "), display: null };
  return {
    error_type: entry.type as PlaidErrorType,
    error_code: code,
    error_code_reason: null,
    error_message: message ?? entry.message,
    display_message: entry.display,
    causes: [],
    status: entry.status,
    documentation_url: `https://plaid.com/docs/errors/${DOC_PATH[entry.type] ?? "api"}/#${code.toLowerCase()}`,
    suggested_action: null,
  };
}

/** Thrown by the service layer; the HTTP layer turns it into a PlaidError response. */
export class PlaidApiError extends Error {
  readonly body: PlaidErrorBody;
  constructor(codeOrBody: string | PlaidErrorBody, message?: string) {
    const body = typeof codeOrBody === "string" ? plaidError(codeOrBody, message) : codeOrBody;
    super(`${body.error_code}: ${body.error_message}`);
    this.name = "PlaidApiError";
    this.body = body;
  }
  get httpStatus(): number {
    return this.body.status ?? 400;
  }
}
