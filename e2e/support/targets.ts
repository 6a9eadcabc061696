/**
 * The two targets the same specs run against (playwright.config.ts projects):
 *
 * - `local-sandbox` (default): the app in local mode with the local Plaid/Stripe
 *   sandbox and its Link stand-in; specs may drive the sandbox control API.
 * - `real-sandbox`: the app with real Plaid Sandbox + Stripe test mode keys,
 *   driving Plaid's real Link iframe. Only when all of REAL_SANDBOX_KEYS (./keys.ts) are set.
 */
import { test } from "@playwright/test";

export const REAL_PROJECT = "real-sandbox";

/** Tag of specs that need the local sandbox (control API: settle on command, reset_login, test account numbers…). */
export const LOCAL_SANDBOX_TAG = "@local-sandbox";
export const LOCAL_SANDBOX_ONLY = `needs the local sandbox control API (${LOCAL_SANDBOX_TAG}): Plaid Sandbox and Stripe test mode cannot be driven on command`;

export type Target = "local" | "real";

/** The target of the running test (from its project). */
export function currentTarget(): Target {
  return test.info().project.name === REAL_PROJECT ? "real" : "local";
}

/** Port of the app under test for the running test's project (the per-run database URL file is keyed by it). */
export function currentAppPort(): number {
  const baseURL = test.info().project.use.baseURL;
  return baseURL ? Number(new URL(baseURL).port) : Number(process.env.E2E_PORT ?? 3100);
}
