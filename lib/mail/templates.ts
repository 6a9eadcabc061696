/**
 * Mail templates: each renders a subject, a plain-text part and an HTML part
 * from typed data. Templates call `layout`, which gives every message the
 * same short shape: paragraphs, at most one action link, a sign-off.
 * In the HTML part every interpolated value is escaped (`html` below); the
 * text part carries the same words. Written for the product: say what
 * happened and what to do, no marketing.
 *
 * To add one: a function in TEMPLATES taking its data and the context;
 * enqueueMail(tx, { to, template, data }) is then typed by it.
 */

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface MailContext {
  /** The app's public URL (APP_URL), for links and the sign-off. */
  appUrl: string;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

class SafeHtml {
  constructor(readonly value: string) {}
}

/** Tagged template: interpolated strings are escaped; nested `html` fragments (and arrays of them) are kept. */
function html(strings: TemplateStringsArray, ...values: (string | SafeHtml | SafeHtml[])[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, i) => {
    const items = Array.isArray(value) ? value : [value];
    out += items.map((v) => (v instanceof SafeHtml ? v.value : escapeHtml(v))).join("");
    out += strings[i + 1]!;
  });
  return new SafeHtml(out);
}

export interface LayoutInput {
  subject: string;
  /** Short paragraphs, plain text. */
  paragraphs: string[];
  /** One link the message is about (e.g. "Verify your email" → URL). */
  action?: { label: string; url: string };
  /** A second, lesser link under the action (e.g. "Forgot your password?"). */
  secondary?: { label: string; url: string };
  /** Below the action, smaller: e.g. "If you did not ask for this, ignore this email." */
  note?: string;
}

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

/** The one layout of the app's mail: text and HTML with the same content. */
export function layout(input: LayoutInput, context: MailContext): RenderedMail {
  const host = new URL(context.appUrl).host;
  const text = [
    ...input.paragraphs,
    ...(input.action ? [`${input.action.label}: ${input.action.url}`] : []),
    ...(input.secondary ? [`${input.secondary.label}: ${input.secondary.url}`] : []),
    ...(input.note ? [input.note] : []),
    `Fundwell\n${context.appUrl}`,
  ].join("\n\n");

  const paragraph = (p: string) => html`<p style="margin:0 0 16px">${p}</p>`;
  const body = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${input.subject}</title>
      </head>
      <body style="margin:0;padding:24px;background:#ffffff;color:#1d1d1f;font:16px/1.5 ${FONT}">
        <div style="max-width:560px;margin:0 auto">
          ${input.paragraphs.map(paragraph)}${
            input.action
              ? html`<p style="margin:24px 0">
                    <a
                      href="${input.action.url}"
                      style="display:inline-block;padding:10px 18px;border-radius:6px;background:#0b57d0;color:#ffffff;text-decoration:none;font-weight:600"
                      >${input.action.label}</a
                    >
                  </p>
                  <p style="margin:0 0 16px;font-size:13px;color:#5f6368">Or open this link: ${input.action.url}</p>`
              : html``
          }${
            input.secondary
              ? html`<p style="margin:0 0 16px"><a href="${input.secondary.url}" style="color:#0b57d0">${input.secondary.label}</a></p>`
              : html``
          }${input.note ? html`<p style="margin:0 0 16px;font-size:13px;color:#5f6368">${input.note}</p>` : html``}
          <p style="margin:24px 0 0;font-size:13px;color:#5f6368">
            Fundwell · <a href="${context.appUrl}" style="color:#5f6368">${host}</a>
          </p>
        </div>
      </body>
    </html> `;
  return { subject: input.subject, text: `${text}\n`, html: body.value };
}

const TEMPLATES = {
  /** Sent by an operator (`npm run mail:send -- --test <address>`) to check the SMTP settings end to end. */
  "mail-check": (data: { requestedAt: Date }, context: MailContext): RenderedMail =>
    layout(
      {
        subject: "Fundwell can send mail",
        paragraphs: [
          `This message was sent from ${context.appUrl} to check its mail settings (requested ${data.requestedAt.toISOString().replace(/\.\d{3}Z$/, "Z")}).`,
          "It arrived, so mail from Fundwell reaches this address. Nothing else needs to be done.",
        ],
        note: "You received this because someone who runs Fundwell asked for a test message to this address.",
      },
      context,
    ),
  /** "Forgot password": the single-use link (lib/auth/password-reset.ts). The token is in the link only. */
  "password-reset": (data: { token: string; validMinutes: number }, context: MailContext): RenderedMail =>
    layout(
      {
        subject: "Reset your Fundwell password",
        paragraphs: [
          "Someone asked to reset the password of the Fundwell account for this email address. If it was you, choose a new password with the link below.",
          `The link works once, for ${data.validMinutes} minutes. Choosing a new password signs out every browser signed in to your account.`,
        ],
        action: { label: "Choose a new password", url: `${context.appUrl}/reset-password?token=${encodeURIComponent(data.token)}` },
        note: "If you did not ask for this, ignore this email: your password stays as it is.",
      },
      context,
    ),
  /** After a password sign-up: the single-use link that verifies the address (lib/auth/email-verification.ts). */
  "verify-email": (data: { token: string; validHours: number }, context: MailContext): RenderedMail =>
    layout(
      {
        subject: "Verify your email address for Fundwell",
        paragraphs: [
          "Welcome to Fundwell. Confirm that this email address is yours to link a bank and add funds to your balance.",
          `The link works once, for ${data.validHours} hours. After verifying, sign in with the password you chose.`,
        ],
        action: { label: "Verify my email", url: `${context.appUrl}/verify-email?token=${encodeURIComponent(data.token)}` },
        note: "If you did not create a Fundwell account, ignore this email: the address stays unverified.",
      },
      context,
    ),
  /** A sign-up with an address that already has an account: its owner hears of it (the sign-up's answer does not say). */
  "sign-up-attempt": (_data: Record<string, never>, context: MailContext): RenderedMail =>
    layout(
      {
        subject: "Someone tried to sign up to Fundwell with your email address",
        paragraphs: [
          "Someone just tried to create a Fundwell account with this email address, which already has a Fundwell account. No new account was created, and nothing about your account changed.",
          "If it was you, sign in to your existing account. If you forgot your password, choose a new one.",
        ],
        action: { label: "Sign in", url: `${context.appUrl}/signin` },
        secondary: { label: "Forgot your password?", url: `${context.appUrl}/forgot-password` },
        note: "If it was not you, you can ignore this email.",
      },
      context,
    ),
  /** After a password reset or change: so the owner hears of it if it was not them. */
  "password-changed": (data: { changedAt: Date; via: "reset" | "change" }, context: MailContext): RenderedMail =>
    layout(
      {
        subject: "Your Fundwell password was changed",
        paragraphs: [
          `The password of your Fundwell account was changed on ${data.changedAt.toISOString().slice(0, 16).replace("T", " at ")} UTC, ${
            data.via === "reset" ? "with a reset link sent to this address" : "on the account page"
          }.`,
          data.via === "reset"
            ? "Every browser that was signed in to your account has been signed out."
            : "Every other browser that was signed in to your account has been signed out.",
          "If you did not do this, reset your password now with the link below, and contact support.",
        ],
        action: { label: "Reset your password", url: `${context.appUrl}/forgot-password` },
      },
      context,
    ),
  /** Two-factor turned on or off, or a recovery code used (lib/auth/two-factor.ts): the owner hears of it if it was not them. */
  "two-factor-changed": (
    data: { change: "enabled" | "disabled" | "recovery-code-used"; at: Date; recoveryCodesLeft?: number },
    context: MailContext,
  ): RenderedMail => {
    const when = `${data.at.toISOString().slice(0, 16).replace("T", " at ")} UTC`;
    const what = {
      enabled: {
        subject: "Two-factor authentication is on",
        lines: [
          `Two-factor authentication was turned on for your Fundwell account on ${when}. Signing in now also asks for a code from your authenticator app.`,
          "Keep your recovery codes somewhere safe: each one lets you in once if you lose your phone.",
        ],
      },
      disabled: {
        subject: "Two-factor authentication is off",
        lines: [
          `Two-factor authentication was turned off for your Fundwell account on ${when}. Signing in now asks only for your password.`,
        ],
      },
      "recovery-code-used": {
        subject: "A recovery code was used to sign in",
        lines: [
          `A recovery code was used to sign in to your Fundwell account on ${when}. It cannot be used again; ${data.recoveryCodesLeft ?? 0} remain.`,
        ],
      },
    }[data.change];
    return layout(
      {
        subject: what.subject,
        paragraphs: [...what.lines, "If this was not you, reset your password now with the link below, and contact support."],
        action: { label: "Reset your password", url: `${context.appUrl}/forgot-password` },
      },
      context,
    );
  },
};

export type TemplateName = keyof typeof TEMPLATES;

/**
 * Templates whose message carries a secret (a one-time link): the sender
 * blanks the outbox row's text and HTML once it is sent or given up, so the
 * secret does not stay in the database after it has left.
 */
export const SECRET_TEMPLATES: ReadonlySet<string> = new Set<TemplateName>(["password-reset", "verify-email"]);
export const REMOVED_AFTER_SENDING = "(removed after sending: it held a one-time link)";
export type TemplateData<K extends TemplateName> = Parameters<(typeof TEMPLATES)[K]>[0];

export function renderMail<K extends TemplateName>(template: K, data: TemplateData<K>, context: MailContext): RenderedMail {
  const render = TEMPLATES[template] as (data: TemplateData<K>, context: MailContext) => RenderedMail;
  return render(data, context);
}
