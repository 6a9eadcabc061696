import { SMTPServer, type SMTPServerSession } from "smtp-server";
import { simpleParser } from "mailparser";
import type { AddressInfo } from "node:net";
import type { MailInbox } from "./inbox.js";

/** Largest message accepted (the app's mail is a few kilobytes). */
const MAX_MESSAGE_BYTES = 5 * 1024 * 1024;

export interface RunningSmtpServer {
  port: number;
  close(): Promise<void>;
}

const smtpError = (status: number, message: string): Error => Object.assign(new Error(message), { responseCode: status });

/**
 * The sandbox's SMTP server (smtp-server + mailparser): accepts every message
 * on loopback and keeps it in the inbox. No TLS (loopback only); any
 * AUTH is accepted so an SMTP_URL with credentials works too. RCPT TO answers
 * what a reject rule says (`POST /__sandbox/mail/reject`), to test retries.
 */
export async function startSmtpServer(options: { host: string; port: number; inbox: MailInbox }): Promise<RunningSmtpServer> {
  const { inbox } = options;
  const server = new SMTPServer({
    banner: "Fundwell local sandbox",
    disabledCommands: ["STARTTLS"],
    authOptional: true,
    allowInsecureAuth: true,
    size: MAX_MESSAGE_BYTES,
    logger: false,
    // close(): connections still open after this are cut (a stop must not wait 30 s).
    closeTimeout: 2_000,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? "sandbox" });
    },
    onRcptTo(address, _session, callback) {
      const rule = inbox.takeRejection(address.address);
      callback(rule ? smtpError(rule.status, rule.message) : null);
    },
    onData(stream, session: SMTPServerSession, callback) {
      simpleParser(stream)
        .then((parsed) => {
          if (stream.sizeExceeded) {
            callback(smtpError(552, "message exceeds the sandbox's size limit"));
            return;
          }
          const envelope = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
            to: session.envelope.rcptTo.map((r) => r.address),
          };
          const message = inbox.add(parsed, envelope, stream.byteLength);
          callback(null, `queued as ${message.id}`);
        })
        .catch((err: unknown) =>
          callback(smtpError(451, `could not parse the message: ${err instanceof Error ? err.message : String(err)}`)),
        );
    },
  });
  // A client that vanishes mid-session is not the sandbox's problem.
  server.on("error", (err) => console.error("[sandbox] SMTP server error:", err.message));
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.server.off("error", reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
