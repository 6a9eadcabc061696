import { json } from "../core/http.js";
import type { SandboxModule } from "../core/context.js";
import type { MailInbox, StoredMessage } from "./inbox.js";

export { MailInbox } from "./inbox.js";
export { startSmtpServer, type RunningSmtpServer } from "./smtp.js";

/** What the list answers per message; `GET /__sandbox/mail/<id>` adds the text and HTML parts. */
function summary(m: StoredMessage) {
  return {
    id: m.id,
    received_at: m.receivedAt,
    envelope: m.envelope,
    from: m.from,
    to: m.to,
    subject: m.subject,
    message_id: m.messageId,
    size: m.size,
  };
}

function full(m: StoredMessage) {
  return { ...summary(m), date: m.date, text: m.text, html: m.html };
}

/**
 * The inbox over HTTP (documented in sandbox/README.md):
 * - `GET /__sandbox/mail[?to=<address>]` the messages, newest first (no bodies)
 * - `GET /__sandbox/mail/<id>` one message with its text and HTML parts
 * - `POST /__sandbox/mail/clear` deletes every message (and reject rule)
 * - `POST /__sandbox/mail/reject` `{ to, status?, times? }` answers RCPT TO for
 *   that address with `status` (default 451, temporary) `times` times (default 1)
 */
export function createMailModule(inbox: MailInbox, smtpAddress: () => string | null): SandboxModule {
  return {
    name: "mail",
    route(method, path) {
      if (method !== "GET") return undefined;
      if (path === "/__sandbox/mail") {
        return (req) => {
          const to = req.query.get("to") ?? undefined;
          const messages = inbox.list({ to });
          return json(200, { count: messages.length, messages: messages.map(summary) });
        };
      }
      const match = /^\/__sandbox\/mail\/(msg_[A-Za-z0-9]+)$/.exec(path);
      if (match) {
        return () => {
          const message = inbox.get(match[1]!);
          return message ? json(200, full(message)) : json(404, { error: `no message ${match[1]}` });
        };
      }
      return undefined;
    },
    control: {
      clear: () => {
        inbox.clearRejectRules();
        return { cleared: inbox.clear() };
      },
      reject: (body) => {
        const to = body.to;
        if (typeof to !== "string" || !/^[^\s@]+@[^\s@]+$/.test(to)) throw new Error("to must be an email address");
        const status = body.status ?? 451;
        if (typeof status !== "number" || !Number.isInteger(status) || status < 400 || status > 599) {
          throw new Error("status must be an SMTP error code from 400 to 599");
        }
        const times = body.times ?? 1;
        if (typeof times !== "number" || !Number.isInteger(times) || times < 1) throw new Error("times must be a whole number ≥ 1");
        const message =
          typeof body.message === "string" && body.message !== ""
            ? body.message
            : status < 500
              ? "mailbox temporarily unavailable (sandbox reject rule)"
              : "mailbox unavailable (sandbox reject rule)";
        inbox.addRejectRule({ to: to.toLowerCase(), status, message, times });
        return { rules: inbox.rejectRules() };
      },
    },
    reset: () => inbox.clearRejectRules(),
    inspect: () => ({
      smtp: smtpAddress(),
      count: inbox.count(),
      messages: inbox.list().slice(0, 50).map(summary),
      reject_rules: inbox.rejectRules(),
    }),
  };
}
