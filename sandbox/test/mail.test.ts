/**
 * The SMTP inbox: a real SMTP client (nodemailer) sends to the sandbox's
 * smtp-server; the control API lists, reads and clears what arrived; the
 * inspection page shows it with the HTML part only inside a sandboxed iframe;
 * reject rules answer RCPT TO; messages survive a restart like other state.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import nodemailer from "nodemailer";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type RunningSandbox } from "../src/server.js";

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ dataDir: null, port: 0, config: { webhookRetryDelaysMs: [] } });
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(async () => {
  await post("mail/clear");
});

function transport(port = sandbox.smtpPort!) {
  return nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, connectionTimeout: 2_000 });
}

async function post(action: string, body: unknown = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sandbox.url}/__sandbox/${action}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

interface Summary {
  id: string;
  from: string;
  to: string;
  subject: string;
  envelope: { from: string | null; to: string[] };
  message_id: string | null;
}

async function list(query = ""): Promise<{ count: number; messages: Summary[] }> {
  const res = await fetch(`${sandbox.url}/__sandbox/mail${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { count: number; messages: Summary[] };
}

const HOSTILE_HTML = `<p>Hello <b>there</b></p><script>parent.document.title="pwned"</script><img src="http://127.0.0.1:9/pixel.gif" onerror="alert(1)">"quoted" &amp; done`;

describe("SMTP inbox", () => {
  it("receives a message over SMTP and serves it through the control API: list, read, clear", async () => {
    expect(sandbox.smtpPort).toBeGreaterThan(0);
    expect(sandbox.context.config.smtpUrl).toBe(`smtp://127.0.0.1:${sandbox.smtpPort}`);
    const info = await transport().sendMail({
      from: "Fundwell <no-reply@fundwell.test>",
      to: "Ada <ada@example.test>",
      subject: "Your sign-in code",
      text: "Your code is 123456.\nIt expires in 10 minutes.",
      html: "<p>Your code is <strong>123456</strong>.</p>",
      messageId: "<outbox-1@fundwell.test>",
    });
    expect(info.response).toMatch(/^250 .*queued as msg_/);

    const all = await list();
    expect(all.count).toBe(1);
    const summary = all.messages[0]!;
    expect(summary).toMatchObject({
      from: '"Fundwell" <no-reply@fundwell.test>',
      to: '"Ada" <ada@example.test>',
      subject: "Your sign-in code",
      envelope: { from: "no-reply@fundwell.test", to: ["ada@example.test"] },
      message_id: "<outbox-1@fundwell.test>",
    });
    expect(summary).not.toHaveProperty("html");

    const read = await fetch(`${sandbox.url}/__sandbox/mail/${summary.id}`);
    expect(read.status).toBe(200);
    const message = (await read.json()) as { text: string; html: string };
    expect(message.text).toBe("Your code is 123456.\nIt expires in 10 minutes.");
    expect(message.html).toBe("<p>Your code is <strong>123456</strong>.</p>");

    expect((await list("?to=ADA@example.test")).count).toBe(1);
    expect((await list("?to=someone-else@example.test")).count).toBe(0);
    expect((await fetch(`${sandbox.url}/__sandbox/mail/msg_doesnotexist`)).status).toBe(404);
    const state = (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as {
      counts: Record<string, number>;
      mail: { smtp: string; count: number };
    };
    expect(state.counts.mail_messages).toBe(1);
    expect(state.mail).toMatchObject({ smtp: sandbox.context.config.smtpUrl, count: 1 });

    expect(await post("mail/clear")).toEqual({ status: 200, json: { cleared: 1 } });
    expect((await list()).count).toBe(0);
  });

  it("keeps each recipient of one message, and a text-only message has no HTML part", async () => {
    await transport().sendMail({ from: "a@fundwell.test", to: ["one@example.test", "two@example.test"], subject: "Hi", text: "Plain." });
    const [summary] = (await list()).messages;
    expect(summary!.envelope.to).toEqual(["one@example.test", "two@example.test"]);
    expect((await list("?to=two@example.test")).count).toBe(1);
    const message = (await (await fetch(`${sandbox.url}/__sandbox/mail/${summary!.id}`)).json()) as { text: string; html: unknown };
    expect(message.text.trim()).toBe("Plain.");
    expect(message.html).toBeNull();
  });

  it("shows messages on the inspection page, the HTML part only as an escaped srcdoc of a sandboxed iframe", async () => {
    await transport().sendMail({
      from: "Fundwell <no-reply@fundwell.test>",
      to: "eve@example.test",
      subject: `<img src=x onerror=alert(1)> "subject"`,
      text: "Text part <b>not bold</b>",
      html: HOSTILE_HTML,
    });
    const res = await fetch(`${sandbox.url}/`);
    const page = await res.text();
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page).toContain('<h2 id="mail">Mail (1)</h2>');
    expect(page).toContain("eve@example.test");
    expect(page).toContain("&#34;Fundwell&#34; &#60;no-reply@fundwell.test&#62;");
    expect(page).toContain("&#60;img src=x onerror=alert(1)&#62; &#34;subject&#34;");
    expect(page).toContain('<pre class="mail-text">Text part &#60;b&#62;not bold&#60;/b&#62;</pre>');
    // Nothing of the message's markup reaches the page as markup.
    expect(page).not.toContain("<script>");
    expect(page).not.toContain("<b>there</b>");
    expect(page).not.toContain("onerror=alert(1)>");
    const iframe = /<iframe class="mail-html" sandbox="" [^>]*srcdoc="([^"]*)"><\/iframe>/.exec(page);
    expect(iframe).not.toBeNull();
    const decoded = iframe![1]!.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
    expect(decoded).toBe(HOSTILE_HTML);
  });

  it("the page's form deletes every message", async () => {
    await transport().sendMail({ from: "a@fundwell.test", to: "x@example.test", subject: "One", text: "1" });
    const res = await fetch(`${sandbox.url}/__sandbox/ui/mail/clear`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "",
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get("location") ?? "", sandbox.url);
    expect(location.searchParams.get("flash")).toBe("Deleted 1 message(s)");
    expect(location.hash).toBe("#mail");
    expect((await list()).count).toBe(0);
  });

  it("a reject rule answers RCPT TO with a temporary (4xx) or permanent (5xx) error, `times` times", async () => {
    expect(await post("mail/reject", { to: "Busy@example.test", times: 2 })).toMatchObject({ status: 200 });
    expect((await post("mail/reject", { to: "gone@example.test", status: 550 })).status).toBe(200);
    expect((await post("mail/reject", { to: "not-an-address" })).status).toBe(400);
    expect((await post("mail/reject", { to: "a@example.test", status: 250 })).status).toBe(400);

    const send = (to: string) => transport().sendMail({ from: "a@fundwell.test", to, subject: "Hello", text: "Hello." });
    for (let i = 0; i < 2; i++) await expect(send("busy@example.test")).rejects.toMatchObject({ code: "EENVELOPE", responseCode: 451 });
    await expect(send("gone@example.test")).rejects.toMatchObject({ code: "EENVELOPE", responseCode: 550 });
    await send("busy@example.test");
    await send("gone@example.test");
    expect((await list()).messages.map((m) => m.envelope.to[0])).toEqual(["gone@example.test", "busy@example.test"]);
  });

  it("reset drops messages and reject rules", async () => {
    await post("mail/reject", { to: "later@example.test" });
    await transport().sendMail({ from: "a@fundwell.test", to: "x@example.test", subject: "One", text: "1" });
    await post("reset");
    expect((await list()).count).toBe(0);
    await transport().sendMail({ from: "a@fundwell.test", to: "later@example.test", subject: "Two", text: "2" });
    expect((await list()).count).toBe(1);
  });
});

describe("SMTP inbox persistence and ports", () => {
  it("keeps messages across a restart on the same dataDir", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "sandbox-mail-"));
    try {
      const first = await startSandbox({ dataDir, port: 0 });
      await transport(first.smtpPort!).sendMail({ from: "a@fundwell.test", to: "keep@example.test", subject: "Kept", text: "Kept." });
      await first.close();
      const second = await startSandbox({ dataDir, port: 0 });
      try {
        const res = await fetch(`${second.url}/__sandbox/mail?to=keep@example.test`);
        expect(((await res.json()) as { messages: Summary[] }).messages.map((m) => m.subject)).toEqual(["Kept"]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("smtpPort: null runs no SMTP server; a taken SMTP port fails the start and frees the HTTP port", async () => {
    const none = await startSandbox({ dataDir: null, port: 0, smtpPort: null });
    expect(none.smtpPort).toBeNull();
    expect(none.context.config.smtpUrl).toBeNull();
    expect(await (await fetch(`${none.url}/`)).text()).toContain("The SMTP inbox is not running.");
    await none.close();

    await expect(startSandbox({ dataDir: null, port: 0, smtpPort: sandbox.smtpPort! })).rejects.toMatchObject({ code: "EADDRINUSE" });
  });
});
