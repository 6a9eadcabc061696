import { inject } from "vitest";

// Every integration test file talks to the run's database and sandbox through
// the app's own config (lib/config reads these), and keeps dev secrets in a
// throw-away data folder.
process.env.DATABASE_URL = inject("databaseUrl");
process.env.SANDBOX_URL = inject("sandboxUrl");
process.env.SMTP_URL = `smtp://127.0.0.1:${inject("sandboxSmtpPort")}`;
process.env.STRIPE_WEBHOOK_SECRET = inject("stripeWebhookSecret");
process.env.APP_URL = "http://localhost:3000";
process.env.DATA_DIR ??= ".data/test";
