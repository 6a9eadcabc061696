/** Keys that switch the app to real Plaid Sandbox + Stripe test mode (no Playwright import: the config reads this). */
export const REAL_SANDBOX_KEYS = ["PLAID_CLIENT_ID", "PLAID_SECRET", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"] as const;
export const missingRealSandboxKeys = (env: NodeJS.ProcessEnv = process.env): string[] => REAL_SANDBOX_KEYS.filter((k) => !env[k]?.trim());
