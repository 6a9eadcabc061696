import "server-only";
import { CountryCode, DepositoryAccountSubtype, Products, type LinkTokenCreateRequest } from "plaid";
import { getConfig } from "@/lib/config";
import { AppError, providerCode, upstreamUnavailable } from "@/lib/errors";
import { getPlaid } from "./client";
import { describePlaidFailure, isTransientPlaidError } from "./errors";

/**
 * A link_token for one user, made per request. New links ask for `auth` on a
 * single checking or savings account; update mode (reconnecting an item)
 * passes the item's access token and no products, as Plaid requires.
 * A failure is an AppError: UPSTREAM_UNAVAILABLE when trying again may work,
 * Plaid's code otherwise.
 */
export async function createLinkToken(user: { id: string }, options: { accessToken?: string } = {}): Promise<string> {
  const config = getConfig();
  const request: LinkTokenCreateRequest = {
    user: { client_user_id: user.id },
    client_name: "Fundwell",
    language: "en",
    country_codes: [CountryCode.Us],
    webhook: config.plaidWebhookUrl,
    ...(config.plaidRedirectUri ? { redirect_uri: config.plaidRedirectUri } : {}),
    ...(options.accessToken
      ? { access_token: options.accessToken }
      : {
          products: [Products.Auth],
          account_filters: { depository: { account_subtypes: [DepositoryAccountSubtype.Checking, DepositoryAccountSubtype.Savings] } },
        }),
  };
  try {
    const { data } = await getPlaid().linkTokenCreate(request);
    return data.link_token;
  } catch (err) {
    if (isTransientPlaidError(err)) throw upstreamUnavailable("bank");
    const failure = describePlaidFailure(err);
    throw new AppError(502, providerCode(failure.code), failure.displayMessage ?? "Plaid is not available right now. Please try again.");
  }
}
