import type { PlaidApi } from "plaid";
import { describe, expect, it } from "vitest";
import { PlaidKeyUnavailableError, plaidKeyFetcher } from "@/lib/webhooks/plaid";

// What the Plaid SDK (axios) throws: the PlaidError body in response.data.
const plaidFailure = (status: number, error_type: string, error_code: string) =>
  Object.assign(new Error(`Request failed with status code ${status}`), {
    isAxiosError: true,
    response: { status, data: { error_type, error_code, error_message: "", display_message: null } },
  });
const networkFailure = () => Object.assign(new Error("socket hang up"), { isAxiosError: true, code: "ECONNRESET" });

const KEY = { alg: "ES256", crv: "P-256", kid: "k1", kty: "EC", use: "sig", x: "x", y: "y", created_at: 1, expired_at: null };
const fetcherThat = (answer: () => Promise<unknown>) =>
  plaidKeyFetcher(() => ({ webhookVerificationKeyGet: answer }) as unknown as PlaidApi);
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as PlaidKeyUnavailableError,
  );

describe("fetching Plaid's webhook verification key", () => {
  it("returns the key Plaid answers", async () => {
    expect(await fetcherThat(async () => ({ data: { key: KEY } }))("k1")).toEqual(KEY);
  });

  it("null (the webhook is refused with 401) only when Plaid does not know the kid", async () => {
    expect(
      await fetcherThat(async () => Promise.reject(plaidFailure(400, "INVALID_INPUT", "INVALID_WEBHOOK_VERIFICATION_KEY_ID")))("forged"),
    ).toBeNull();
  });

  it.each([
    ["no answer", networkFailure(), true],
    ["Plaid's 500", plaidFailure(500, "API_ERROR", "INTERNAL_SERVER_ERROR"), true],
    ["rate limited", plaidFailure(429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT"), true],
    // Our credentials, not the sender's signature: the webhook must be redelivered once they are fixed.
    ["our API keys refused", plaidFailure(400, "INVALID_INPUT", "INVALID_API_KEYS"), false],
    ["our request refused", plaidFailure(400, "INVALID_REQUEST", "MISSING_FIELDS"), false],
  ])("%s: unavailable (503, Plaid redelivers), transient as the shared rule says", async (_label, thrown, transient) => {
    const err = await failure(fetcherThat(async () => Promise.reject(thrown))("k1"));
    expect(err).toBeInstanceOf(PlaidKeyUnavailableError);
    expect(err).toMatchObject({ transient });
  });
});
