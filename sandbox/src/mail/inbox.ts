import type { ParsedMail, AddressObject } from "mailparser";
import type { Store } from "../core/store.js";
import { alphanumeric } from "../core/ids.js";

/** Messages kept (the oldest are dropped beyond this), so the state file stays small. */
export const MAX_MESSAGES = 1_000;

/** One message the sandbox's SMTP server accepted, as parsed by mailparser. */
export interface StoredMessage {
  id: string;
  receivedAt: string;
  /** SMTP envelope: MAIL FROM and every RCPT TO. */
  envelope: { from: string | null; to: string[] };
  /** Header values as text (e.g. `Fundwell <no-reply@fundwell.test>`). */
  from: string;
  to: string;
  subject: string;
  messageId: string | null;
  date: string | null;
  /** The text/plain part, or null when the message has none. */
  text: string | null;
  /** The text/html part as sent (never rendered into the page raw), or null. */
  html: string | null;
  size: number;
}

export interface MailState {
  messages: Record<string, StoredMessage>;
}

/** A temporary (4xx) or permanent (5xx) answer to RCPT TO for one address, `times` more times. */
export interface RejectRule {
  to: string;
  status: number;
  message: string;
  times: number;
}

const addressText = (value: AddressObject | AddressObject[] | undefined): string =>
  value === undefined ? "" : (Array.isArray(value) ? value : [value]).map((a) => a.text).join(", ");

/**
 * The sandbox's inbox: every message the SMTP server accepts, in the store's
 * `mail` namespace (persisted with the rest of the state), newest last.
 * Reject rules are in memory only, like fault rules.
 */
export class MailInbox {
  private rules: RejectRule[] = [];

  constructor(private readonly store: Store) {
    store.namespace<MailState>("mail", () => ({ messages: {} }));
  }

  private get state(): MailState {
    return this.store.get<MailState>("mail");
  }

  add(parsed: ParsedMail, envelope: StoredMessage["envelope"], size: number): StoredMessage {
    const message: StoredMessage = {
      id: `msg_${alphanumeric(20)}`,
      receivedAt: new Date().toISOString(),
      envelope,
      from: addressText(parsed.from),
      to: addressText(parsed.to),
      subject: parsed.subject ?? "",
      messageId: parsed.messageId ?? null,
      date: parsed.date ? parsed.date.toISOString() : null,
      text: parsed.text ?? null,
      html: typeof parsed.html === "string" ? parsed.html : null,
      size,
    };
    const messages = this.state.messages;
    messages[message.id] = message;
    const ids = Object.keys(messages);
    for (let i = 0; i < ids.length - MAX_MESSAGES; i++) delete messages[ids[i]!];
    this.store.changed();
    return message;
  }

  /** Newest first; `to` keeps the messages with that envelope recipient (case-insensitive). */
  list(filter: { to?: string } = {}): StoredMessage[] {
    const to = filter.to?.toLowerCase();
    return Object.values(this.state.messages)
      .filter((m) => to === undefined || m.envelope.to.some((r) => r.toLowerCase() === to))
      .reverse();
  }

  get(id: string): StoredMessage | undefined {
    return this.state.messages[id];
  }

  count(): number {
    return Object.keys(this.state.messages).length;
  }

  clear(): number {
    const removed = this.count();
    this.state.messages = {};
    this.store.changed();
    return removed;
  }

  addRejectRule(rule: RejectRule): void {
    this.rules.push(rule);
  }

  rejectRules(): RejectRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  clearRejectRules(): void {
    this.rules = [];
  }

  /** The rule that applies to this recipient now (and uses one of its times), if any. */
  takeRejection(to: string): RejectRule | undefined {
    const address = to.toLowerCase();
    const rule = this.rules.find((r) => r.times > 0 && r.to === address);
    if (!rule) return undefined;
    rule.times -= 1;
    if (rule.times === 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule;
  }
}
