import "server-only";
import type { Db, Prisma } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { renderMail, type MailContext, type TemplateData, type TemplateName } from "./templates";

/** A transaction (what enqueueMail is for) or, for a message on its own, the client. */
type DbClient = Prisma.TransactionClient | Db;

export interface OutgoingMail<K extends TemplateName> {
  /** One address (no display name). */
  to: string;
  template: K;
  data: TemplateData<K>;
}

const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

/**
 * Renders a template and writes the message to the outbox with `tx`, so it
 * exists exactly when the caller's transaction commits: a rollback leaves
 * nothing to send. Never sends: the sender (lib/mail/sender.ts) delivers it
 * moments later, with retries, outside any user request.
 *
 *   await db.$transaction(async (tx) => {
 *     … the change that warrants a message …
 *     await enqueueMail(tx, { to: user.email, template: "mail-check", data: { requestedAt: new Date() } });
 *   });
 */
export async function enqueueMail<K extends TemplateName>(
  tx: DbClient,
  mail: OutgoingMail<K>,
  context: MailContext = { appUrl: getConfig().appUrl },
): Promise<{ id: string }> {
  const to = mail.to.trim();
  if (!ADDRESS.test(to)) throw new Error("enqueueMail: `to` must be one email address");
  const rendered = renderMail(mail.template, mail.data, context);
  return tx.mailOutbox.create({
    data: { to, template: mail.template, subject: rendered.subject, text: rendered.text, html: rendered.html },
    select: { id: true },
  });
}
