import { INVALID_CREDENTIALS } from "./errors";

/**
 * The only texts the sign-in page shows for an `error` in its URL (and the
 * form for a failed sign-in). The URL carries a code, never a message: a
 * code not listed here gets the generic SIGN_IN_FAILED, so no text from the
 * URL ever reaches the page. Isomorphic: the form imports it.
 *
 * Our own codes are what `authorize` throws (lib/auth/options.ts) and what the
 * OAuth sign-in callback sends; the others are next-auth's own.
 */
const SIGN_IN_FAILED = "Sign-in didn't work. Please try again.";

export const SIGN_IN_MESSAGES = {
  invalid: INVALID_CREDENTIALS,
  throttled: "Too many failed sign-in attempts. Try again in a few minutes.",
  disabled: "This account has been disabled. Contact support if you think this is a mistake.",
  "oauth-disabled": "This account has been disabled.",
  "oauth-no-email": "Your provider did not share an email address.",
  "oauth-unverified-email": "Your provider has not verified your email address. Verify it there, then try again.",
  "oauth-not-linked": "Sign in with your email and password; this provider is not linked to your account.",
  // next-auth's codes (pages.error is /signin).
  CredentialsSignin: INVALID_CREDENTIALS,
  OAuthAccountNotLinked: "Sign in with your email and password; this provider is not linked to your account.",
  AccessDenied: "Access was denied.",
  SessionRequired: "Please sign in.",
  Configuration: SIGN_IN_FAILED,
  OAuthSignin: SIGN_IN_FAILED,
  OAuthCallback: SIGN_IN_FAILED,
  OAuthCreateAccount: SIGN_IN_FAILED,
  Callback: SIGN_IN_FAILED,
  Default: SIGN_IN_FAILED,
} as const;

export type SignInErrorCode = keyof typeof SIGN_IN_MESSAGES;

/** The fixed message for an `error` code; undefined when there is none. */
export function signInErrorMessage(code: string | string[] | null | undefined): string | undefined {
  if (code === null || code === undefined || code === "") return undefined;
  if (typeof code === "string" && Object.hasOwn(SIGN_IN_MESSAGES, code)) return SIGN_IN_MESSAGES[code as SignInErrorCode];
  return SIGN_IN_FAILED;
}
