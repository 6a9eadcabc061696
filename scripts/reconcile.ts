/**
 * `npm run reconcile [-- --older-than <minutes>]`: re-reads from Stripe every
 * payment still pending/processing and not updated for <minutes> (default 10)
 * and applies what Stripe says (lib/funding/reconcile.ts); then lists the
 * disputes and refunds created since the last run, rechecks refunds on their
 * way and records missing fees (lib/funding/reconcile-lists.ts). Safe to run
 * while the app runs, and again: nothing is applied twice.
 */
import { createPrismaClient } from "../lib/db";
import { DEFAULT_STALE_MINUTES, reconcilePayments } from "../lib/funding/reconcile";
import { reconcileRefundsAndDisputes } from "../lib/funding/reconcile-lists";
import { loadCommandConfig, openDatabase, runCommand } from "./lib/env";

function olderThanArg(argv: string[]): number {
  const i = argv.findIndex((a) => a === "--older-than" || a.startsWith("--older-than="));
  if (i === -1) return DEFAULT_STALE_MINUTES;
  const value = argv[i]!.includes("=") ? argv[i]!.split("=")[1] : argv[i + 1];
  if (!value || !/^\d+$/.test(value)) throw new Error("--older-than expects a whole number of minutes (e.g. --older-than 10)");
  return Number(value);
}

await runCommand(async () => {
  const olderThanMinutes = olderThanArg(process.argv.slice(2));
  const config = loadCommandConfig();
  const database = await openDatabase(config);
  // lib/ reads its settings through getConfig(), which requires DATABASE_URL.
  process.env.DATABASE_URL = database.url;
  const db = createPrismaClient(database.url, { max: 2 });
  try {
    const report = await reconcilePayments(db, { olderThanMinutes });
    console.log(
      `Checked ${report.checked} payment(s) not updated for ${olderThanMinutes} minute(s): ${report.updated} updated ` +
        `(${report.succeeded} succeeded, ${report.failed} failed, ${report.canceled} canceled), ${report.unchanged} unchanged, ` +
        `${report.staleUnsubmitted} never reached Stripe (left for the funding retry), ${report.missingAtStripe} unknown at Stripe, ` +
        `${report.handledElsewhere} handled by another worker meanwhile, ${report.errors} error(s).`,
    );
    const lists = await reconcileRefundsAndDisputes(db, { olderThanMinutes });
    console.log(
      `Listed ${lists.disputesListed} dispute(s) and ${lists.refundsListed} refund(s) since the last run, rechecked ` +
        `${lists.refundsChecked} refund(s) on their way: ${lists.changed} change(s) applied, ${lists.feesRecorded} fee(s) recorded, ${lists.errors} error(s).`,
    );
    if (report.errors > 0 || lists.errors > 0) process.exitCode = 1;
  } finally {
    await db.$disconnect();
    await database.embedded?.stop();
  }
});
