import "server-only";
// enqueueMail in the caller's transaction; the sender delivers (lib/mail/sender.ts); templates in lib/mail/templates.ts.
export { enqueueMail } from "./outbox";
export { sendDueMail, type SendReport } from "./sender";
