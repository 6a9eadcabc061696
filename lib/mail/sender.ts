import "server-only";
import nodemailer, { type SendMailOptions } from "nodemailer";
import type { Db } from "@/lib/db";
import { getDb } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { logger } from "@/lib/log";
import { startPeriodicTask } from "@/lib/periodic-task";
import { REMOVED_AFTER_SENDING, SECRET_TEMPLATES } from "./templates";

/**
 * The outbox sender: delivers what enqueueMail wrote, outside any request.
 *
 * One run claims up to `batchSize` due PENDING rows in one statement
 * (`FOR UPDATE SKIP LOCKED`, so concurrent runs, in this process or another
 * instance, never claim the same row): the claim counts an attempt and moves
 * `next_attempt_at` to the end of a lease. Then, outside any transaction,
 * each message goes to the SMTP server, and the row becomes SENT; or, on a
 * failure, PENDING again at now + backoff (30 s doubling, at most 1 h), or
 * FAILED (logged) when the server refused it for good (5xx on the envelope
 * or message) or after `maxAttempts`. A crash mid-run leaves claimed rows
 * PENDING until their lease ends: nothing is lost. Delivery is at least once:
 * a crash between the server's "250 OK" and the SENT update sends that
 * message again, with the same Message-ID (<outbox id@sender domain>).
 */
export interface SendOptions {
  now?: Date;
  batchSize?: number;
  maxAttempts?: number;
  /** How long a claimed row stays invisible to other runs (longer than the SMTP timeouts). */
  leaseMs?: number;
  transport?: MailTransport;
  from?: string;
}

export interface SendReport {
  claimed: number;
  sent: number;
  /** Failed this time, rescheduled. */
  retried: number;
  /** Given up (FAILED). */
  failed: number;
}

/** What the sender needs of a nodemailer transport (tests pass their own). */
export interface MailTransport {
  sendMail(message: SendMailOptions): Promise<unknown>;
}

export const MAX_ATTEMPTS = 10;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 60 * 60_000;
const LEASE_MS = 2 * 60_000;

/** Wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, … at most 1 h. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

/** nodemailer over SMTP_URL, with timeouts that fit a background job (its defaults wait minutes). */
export function createSmtpTransport(smtpUrl: string): MailTransport {
  return nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
}

const globalForMail = globalThis as unknown as { fundwellMailTransport?: { url: string; transport: MailTransport } };

function defaultTransport(): MailTransport | null {
  const url = getConfig().mail.smtpUrl;
  if (!url) return null;
  if (globalForMail.fundwellMailTransport?.url !== url) {
    globalForMail.fundwellMailTransport = { url, transport: createSmtpTransport(url) };
  }
  return globalForMail.fundwellMailTransport.transport;
}

/** `ECONNECTION`, `EENVELOPE:451`: what went wrong, without the server's text (it may quote the address). */
export function mailErrorCode(err: unknown): string {
  const e = err as { code?: unknown; responseCode?: unknown };
  const code = typeof e?.code === "string" ? e.code : "ERROR";
  return (typeof e?.responseCode === "number" ? `${code}:${e.responseCode}` : code).slice(0, 64);
}

/** The server refused this message or its recipient for good (not a connection, auth or temporary problem). */
function isPermanent(err: unknown): boolean {
  const e = err as { code?: unknown; responseCode?: unknown };
  return typeof e?.responseCode === "number" && e.responseCode >= 500 && (e.code === "EENVELOPE" || e.code === "EMESSAGE");
}

interface ClaimedRow {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  template: string;
  attempts: number;
}

export async function sendDueMail(db: Db, options: SendOptions = {}): Promise<SendReport> {
  const report: SendReport = { claimed: 0, sent: 0, retried: 0, failed: 0 };
  const transport = options.transport ?? defaultTransport();
  if (!transport) return report;
  const from = options.from ?? getConfig().mail.from;
  const domain = /@([^\s@<>]+)>?$/.exec(from)?.[1] ?? "fundwell.invalid";
  const now = options.now ?? new Date();
  const maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS;
  const leaseEnd = new Date(now.getTime() + (options.leaseMs ?? LEASE_MS));

  const rows = await db.$queryRaw<ClaimedRow[]>`
    UPDATE "mail_outbox" SET "attempts" = "attempts" + 1, "next_attempt_at" = ${leaseEnd}::timestamp(3)
    WHERE "id" IN (
      SELECT "id" FROM "mail_outbox"
      WHERE "status" = 'PENDING' AND "next_attempt_at" <= ${now}::timestamp(3)
      ORDER BY "next_attempt_at", "id"
      LIMIT ${options.batchSize ?? 20}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING "id", "to_address" AS "to", "subject", "text", "html", "template", "attempts"`;
  report.claimed = rows.length;

  for (const row of rows) {
    try {
      await transport.sendMail({
        from,
        to: row.to,
        subject: row.subject,
        text: row.text,
        html: row.html,
        messageId: `<${row.id}@${domain}>`,
        // RFC 3834: machine-sent, so auto-responders stay quiet.
        headers: { "Auto-Submitted": "auto-generated" },
      });
      await db.mailOutbox.updateMany({
        where: { id: row.id, status: "PENDING" },
        data: { status: "SENT", sentAt: new Date(), lastErrorCode: null, ...scrubbed(row.template) },
      });
      report.sent++;
    } catch (err) {
      const code = mailErrorCode(err);
      if (isPermanent(err) || row.attempts >= maxAttempts) {
        await db.mailOutbox.updateMany({
          where: { id: row.id, status: "PENDING" },
          data: { status: "FAILED", lastErrorCode: code, ...scrubbed(row.template) },
        });
        report.failed++;
        logger.error({ mailId: row.id, template: row.template, attempts: row.attempts, code }, "mail: gave up on a message");
      } else {
        const next = new Date(now.getTime() + backoffMs(row.attempts));
        await db.mailOutbox.updateMany({
          where: { id: row.id, status: "PENDING" },
          data: { nextAttemptAt: next, lastErrorCode: code },
        });
        report.retried++;
        logger.warn({ mailId: row.id, template: row.template, attempts: row.attempts, code, next }, "mail: delivery failed, will retry");
      }
    }
  }
  return report;
}

/** A message that carried a secret keeps its subject and status, not its body (SECRET_TEMPLATES). */
function scrubbed(template: string): { text?: string; html?: string } {
  return SECRET_TEMPLATES.has(template) ? { text: REMOVED_AFTER_SENDING, html: REMOVED_AFTER_SENDING } : {};
}

/**
 * Runs the sender every MAIL_SEND_INTERVAL_MS in this (Node) server process
 * (lib/periodic-task.ts; a full batch runs again at once). Not started
 * during `next build`. Safe on several instances at once (the claim skips
 * locked rows).
 */
export function startMailSender(interval = getConfig().mail.sendIntervalMs, phase = process.env.NEXT_PHASE): (() => void) | null {
  if (phase === "phase-production-build") return null;
  if (interval === 0) {
    logger.info("mail sender disabled (MAIL_SEND_INTERVAL_MS=0)");
    return null;
  }
  const smtpUrl = getConfig().mail.smtpUrl;
  if (!smtpUrl) {
    logger.warn("mail sender off: SMTP_URL is not set, messages wait in the outbox");
    return null;
  }
  const batchSize = 20;
  const stop = startPeriodicTask("mail sender", interval, async (signal) => {
    for (let i = 0; i < 50 && !signal.aborted; i++) {
      const report = await sendDueMail(getDb(), { batchSize });
      if (report.claimed > 0) logger.info({ ...report }, "mail sender run");
      if (report.claimed < batchSize) break;
    }
  });
  logger.info({ smtpHost: new URL(smtpUrl).host, intervalMs: interval }, "mail sender started");
  return stop;
}
