/**
 * `npm run mail:send [-- --test <address>]`: delivers every message due in
 * the mail outbox now (lib/mail/sender.ts), as the app's timer does; safe
 * while the app runs (runs never claim the same message). `--test <address>`
 * first queues a "Fundwell can send mail" message to that address: a check
 * of SMTP_URL and MAIL_FROM end to end. In local mode the sandbox (npm run
 * dev) must be running to receive it.
 */
import { createPrismaClient } from "../lib/db";
import { enqueueMail, sendDueMail, type SendReport } from "../lib/mail";
import { loadCommandConfig, openDatabase, runCommand } from "./lib/env";

function testAddress(argv: string[]): string | null {
  const i = argv.findIndex((a) => a === "--test" || a.startsWith("--test="));
  if (i === -1) return null;
  const value = argv[i]!.includes("=") ? argv[i]!.split("=")[1] : argv[i + 1];
  if (!value || !/^[^\s@]+@[^\s@]+$/.test(value)) throw new Error("--test expects an email address (e.g. --test you@example.com)");
  return value;
}

await runCommand(async () => {
  const to = testAddress(process.argv.slice(2));
  const config = loadCommandConfig();
  if (!config.mail.smtpUrl) throw new Error("SMTP_URL is not set: nothing can be delivered (see .env.example)");
  const database = await openDatabase(config);
  // lib/ reads its settings through getConfig(), which requires DATABASE_URL.
  process.env.DATABASE_URL = database.url;
  const db = createPrismaClient(database.url, { max: 2 });
  try {
    if (to) {
      const { id } = await enqueueMail(db, { to, template: "mail-check", data: { requestedAt: new Date() } });
      console.log(`Queued a test message to ${to} (${id}).`);
    }
    const total: SendReport = { claimed: 0, sent: 0, retried: 0, failed: 0 };
    for (let i = 0; i < 1_000; i++) {
      const report = await sendDueMail(db, { batchSize: 50 });
      for (const key of Object.keys(total) as (keyof SendReport)[]) total[key] += report[key];
      if (report.claimed < 50) break;
    }
    console.log(
      `Through ${new URL(config.mail.smtpUrl).host}: ${total.sent} sent, ${total.retried} failed and rescheduled, ${total.failed} given up (of ${total.claimed} due).`,
    );
    if (total.retried > 0 || total.failed > 0) process.exitCode = 1;
  } finally {
    await db.$disconnect();
    await database.embedded?.stop();
  }
});
