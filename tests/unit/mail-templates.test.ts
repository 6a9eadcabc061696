import { describe, expect, it } from "vitest";
import { layout, renderMail, SECRET_TEMPLATES } from "@/lib/mail/templates";
import { backoffMs, mailErrorCode } from "@/lib/mail/sender";

const context = { appUrl: "https://fundwell.example" };

describe("mail templates", () => {
  it("puts the reset token in the link only, encoded, with how long it works", () => {
    const mail = renderMail("password-reset", { token: "abc_DEF-123", validMinutes: 30 }, context);
    expect(mail.subject).toBe("Reset your Fundwell password");
    expect(mail.text).toContain("Choose a new password: https://fundwell.example/reset-password?token=abc_DEF-123");
    expect(mail.text).toContain("for 30 minutes");
    expect(mail.html).toContain('href="https://fundwell.example/reset-password?token=abc_DEF-123"');
    expect(renderMail("password-reset", { token: "a&b", validMinutes: 30 }, context).text).toContain("token=a%26b");
  });

  it("says how the password was changed and where to reset it", () => {
    const changedAt = new Date("2026-12-03T10:15:00Z");
    const reset = renderMail("password-changed", { changedAt, via: "reset" }, context);
    expect(reset.subject).toBe("Your Fundwell password was changed");
    expect(reset.text).toContain("on 2026-12-03 at 10:15 UTC, with a reset link sent to this address");
    expect(reset.text).toContain("Every browser that was signed in");
    expect(reset.text).toContain("Reset your password: https://fundwell.example/forgot-password");
    const change = renderMail("password-changed", { changedAt, via: "change" }, context);
    expect(change.text).toContain("on the account page");
    expect(change.text).toContain("Every other browser");
  });

  it("puts the verification token in the link only, encoded, with how long it works; the link is a secret", () => {
    const mail = renderMail("verify-email", { token: "abc_DEF-123", validHours: 24 }, context);
    expect(mail.subject).toBe("Verify your email address for Fundwell");
    expect(mail.text).toContain("Verify my email: https://fundwell.example/verify-email?token=abc_DEF-123");
    expect(mail.text).toContain("for 24 hours");
    expect(mail.html).toContain('href="https://fundwell.example/verify-email?token=abc_DEF-123"');
    expect(renderMail("verify-email", { token: "a&b", validHours: 24 }, context).text).toContain("token=a%26b");
    expect(SECRET_TEMPLATES.has("verify-email")).toBe(true);
  });

  it("tells the owner of a registered address that someone tried to sign up with it: sign in, or reset the password", () => {
    const mail = renderMail("sign-up-attempt", {}, context);
    expect(mail.subject).toBe("Someone tried to sign up to Fundwell with your email address");
    expect(mail.text).toContain("already has a Fundwell account");
    expect(mail.text).toContain("Sign in: https://fundwell.example/signin");
    expect(mail.text).toContain("Forgot your password?: https://fundwell.example/forgot-password");
    expect(mail.html).toContain('href="https://fundwell.example/signin"');
    expect(mail.html).toContain('href="https://fundwell.example/forgot-password"');
    expect(SECRET_TEMPLATES.has("sign-up-attempt")).toBe(false);
  });

  it("renders the same words as text and HTML, with the sign-off", () => {
    const mail = renderMail("mail-check", { requestedAt: new Date("2026-12-03T10:00:00.123Z") }, context);
    expect(mail.subject).toBe("Fundwell can send mail");
    expect(mail.text).toBe(
      [
        "This message was sent from https://fundwell.example to check its mail settings (requested 2026-12-03T10:00:00Z).",
        "It arrived, so mail from Fundwell reaches this address. Nothing else needs to be done.",
        "You received this because someone who runs Fundwell asked for a test message to this address.",
        "Fundwell\nhttps://fundwell.example\n",
      ].join("\n\n"),
    );
    expect(mail.html).toMatch(/^<!doctype html>/);
    expect(mail.html).toContain("<title>Fundwell can send mail</title>");
    expect(mail.html).toContain("It arrived, so mail from Fundwell reaches this address. Nothing else needs to be done.");
    expect(mail.html).toContain('<a href="https://fundwell.example" style="color:#5f6368">fundwell.example</a>');
  });

  it("escapes every interpolated value in the HTML part, and keeps it as written in the text part", () => {
    const hostile = `<script>alert("x")</script> & 'quotes'`;
    const mail = layout(
      {
        subject: `Hi ${hostile}`,
        paragraphs: [`Hello ${hostile}`],
        action: { label: `Go ${hostile}`, url: `https://fundwell.example/a?b=1&c="><script>` },
        note: hostile,
      },
      context,
    );
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).not.toContain('"><');
    expect(mail.html).toContain("Hello &#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;quotes&#39;");
    expect(mail.html).toContain('href="https://fundwell.example/a?b=1&#38;c=&#34;&#62;&#60;script&#62;"');
    expect(mail.text).toContain(`Hello ${hostile}`);
    expect(mail.text).toContain(`Go ${hostile}: https://fundwell.example/a?b=1&c="><script>`);
    expect(mail.subject).toBe(`Hi ${hostile}`);
  });
});

describe("mail sender rules", () => {
  it("backs off 30 s, doubling, at most an hour", () => {
    expect([1, 2, 3, 4, 8, 9, 20].map(backoffMs)).toEqual([30_000, 60_000, 120_000, 240_000, 3_600_000, 3_600_000, 3_600_000]);
  });

  it("keeps the error's code and SMTP status, never its text", () => {
    expect(mailErrorCode(Object.assign(new Error("550 <a@b.c> unknown"), { code: "EENVELOPE", responseCode: 550 }))).toBe("EENVELOPE:550");
    expect(mailErrorCode(Object.assign(new Error("connect ECONNREFUSED"), { code: "ESOCKET" }))).toBe("ESOCKET");
    expect(mailErrorCode("weird")).toBe("ERROR");
  });
});
