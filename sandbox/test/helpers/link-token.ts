import { CountryCode, Products } from "plaid";

/** The /link/token/create request the app sends, with `extra` fields added or overridden. */
export function linkTokenRequest(extra: Record<string, unknown> = {}) {
  return {
    client_name: "Fundwell",
    language: "en",
    country_codes: [CountryCode.Us],
    user: { client_user_id: "user-1" },
    products: [Products.Auth],
    ...extra,
  };
}
