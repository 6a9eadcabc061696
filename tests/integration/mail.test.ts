/**
 * The mail outbox end to end on a real database and the run's sandbox SMTP
 * inbox: enqueueMail inside the caller's transaction, the sender's delivery,
 * retries through an SMTP outage or a temporary refusal, giving up, and
 * concurrent sender runs.
 */
import { createServer } from "node:net";
import { afterAll, describe, expect, inject, it } from "vitest";
import { getDb } from "@/lib/db";
import { enqueueMail, sendDueMail } from "@/lib/mail";
import { createSmtpTransport } from "@/lib/mail/sender";
import { testDb, uniqueEmail } from "../helpers/db";
import { sandboxControl } from "../helpers/sandbox";

// Retry warnings are expected here.
process.env.LOG_LEVEL ??= "error";

const db = testDb();
afterAll(async () => {
  await db.$disconnect();
  await getDb().$disconnect();
});

interface InboxMessage {
  id: string;
  from: string;
  to: string;
  subject: string;
  envelope: { from: string; to: string[] };
  message_id: string;
  text: string;
  html: string;
}

async function inbox(to: string): Promise<InboxMessage[]> {
  const res = await fetch(`${inject("sandboxUrl")}/__sandbox/mail?to=${encodeURIComponent(to)}`);
  const { messages } = (await res.json()) as { messages: { id: string }[] };
  return Promise.all(
    messages.map((m) => fetch(`${inject("sandboxUrl")}/__sandbox/mail/${m.id}`).then((r) => r.json() as Promise<InboxMessage>)),
  );
}

const check = { template: "mail-check" as const, data: { requestedAt: new Date("2026-12-03T10:00:00Z") } };

/**
 * Other test files enqueue mail on the same database meanwhile (sign-ups,
 * resets), due now. Each test here moves its own messages to a moment of
 * its own in the past and runs the sender at that moment, so it claims
 * exactly its messages: never the others' (whose tests read them from the
 * outbox), and never behind a queue of them.
 */
async function dueAt(epoch: Date, ids: string[]): Promise<void> {
  await db.mailOutbox.updateMany({ where: { id: { in: ids } }, data: { nextAttemptAt: epoch } });
}
const at = (epoch: Date, ms: number) => new Date(epoch.getTime() + ms);

/** A port on which nothing listens: the SMTP server is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("enqueueMail", () => {
  it("writes nothing when the caller's transaction rolls back, so nothing is ever sent", async () => {
    const to = uniqueEmail("rollback");
    await expect(
      db.$transaction(async (tx) => {
        await enqueueMail(tx, { to, ...check });
        expect(await tx.mailOutbox.count({ where: { to } })).toBe(1);
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await db.mailOutbox.count({ where: { to } })).toBe(0);
    await sendDueMail(db, { now: at(new Date("1990-01-01T00:00:00Z"), 24 * 3600_000) });
    expect(await inbox(to)).toEqual([]);
  });

  it("refuses anything but one address", async () => {
    for (const to of ["two@example.test, three@example.test", "Name <a@example.test>", "a@example.test\r\nBcc: b@example.test", "nobody"]) {
      await expect(enqueueMail(db, { to, ...check })).rejects.toThrow("`to` must be one email address");
    }
  });
});

describe("sendDueMail", () => {
  it("delivers a committed message through SMTP with its text and HTML parts, then marks it SENT", async () => {
    const to = uniqueEmail("deliver");
    const { id } = await db.$transaction((tx) => enqueueMail(tx, { to, ...check }));
    const queued = await db.mailOutbox.findUniqueOrThrow({ where: { id } });
    expect(queued).toMatchObject({ status: "PENDING", attempts: 0, template: "mail-check", sentAt: null });
    const epoch = new Date("1991-01-01T00:00:00Z");
    await dueAt(epoch, [id]);

    const report = await sendDueMail(db, { now: epoch });
    expect(report.sent).toBeGreaterThanOrEqual(1);
    const sent = await db.mailOutbox.findUniqueOrThrow({ where: { id } });
    expect(sent).toMatchObject({ status: "SENT", attempts: 1, lastErrorCode: null });
    expect(sent.sentAt).toBeInstanceOf(Date);

    const [message, ...others] = await inbox(to);
    expect(others).toEqual([]);
    expect(message).toMatchObject({
      from: '"Fundwell" <no-reply@fundwell.test>',
      envelope: { from: "no-reply@fundwell.test", to: [to] },
      subject: "Fundwell can send mail",
      message_id: `<${id}@fundwell.test>`,
    });
    expect(message!.text).toContain(
      "This message was sent from http://localhost:3000 to check its mail settings (requested 2026-12-03T10:00:00Z).",
    );
    expect(message!.text).toContain("Nothing else needs to be done.");
    expect(message!.html).toContain('<p style="margin:0 0 16px">It arrived, so mail from Fundwell reaches this address.');
    expect(message!.html).toContain('<a href="http://localhost:3000"');

    // Sent once: a later run does not touch it.
    await sendDueMail(db, { now: at(epoch, 24 * 3600_000) });
    expect(await inbox(to)).toHaveLength(1);
  });

  it("with the SMTP server down: the row stays PENDING with its attempt, code and next time; delivered once when it is back", async () => {
    const to = uniqueEmail("outage");
    const { id } = await enqueueMail(db, { to, ...check });
    const down = createSmtpTransport(`smtp://127.0.0.1:${await closedPort()}`);

    const t0 = new Date("1992-01-01T00:00:00Z");
    await dueAt(t0, [id]);
    const first = await sendDueMail(db, { transport: down, now: t0 });
    expect(first).toMatchObject({ sent: 0, failed: 0 });
    expect(first.retried).toBeGreaterThanOrEqual(1);
    let row = await db.mailOutbox.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "PENDING", attempts: 1, lastErrorCode: "ESOCKET", sentAt: null });
    expect(row.nextAttemptAt.getTime()).toBe(t0.getTime() + 30_000);

    // Not due yet: the SMTP server being back changes nothing before then.
    await sendDueMail(db, { now: new Date(t0.getTime() + 29_000) });
    expect((await db.mailOutbox.findUniqueOrThrow({ where: { id } })).status).toBe("PENDING");

    // Still down at the second attempt: the wait doubles.
    const t1 = new Date(t0.getTime() + 30_000);
    await sendDueMail(db, { transport: down, now: t1 });
    row = await db.mailOutbox.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "PENDING", attempts: 2 });
    expect(row.nextAttemptAt.getTime()).toBe(t1.getTime() + 60_000);
    expect(await inbox(to)).toEqual([]);

    // Back up.
    await sendDueMail(db, { now: new Date(t1.getTime() + 60_000) });
    row = await db.mailOutbox.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "SENT", attempts: 3 });
    await sendDueMail(db, { now: at(t0, 24 * 3600_000) });
    expect(await inbox(to)).toHaveLength(1);
  });

  it("a temporary refusal (451) is retried; a permanent one (550) or the last attempt gives up (FAILED)", async () => {
    const busy = uniqueEmail("busy");
    const gone = uniqueEmail("gone");
    const flaky = uniqueEmail("flaky");
    await sandboxControl("mail/reject", { to: busy, status: 451, times: 1 });
    await sandboxControl("mail/reject", { to: gone, status: 550, times: 1 });
    await sandboxControl("mail/reject", { to: flaky, status: 451, times: 5 });
    const ids = {
      busy: (await enqueueMail(db, { to: busy, ...check })).id,
      gone: (await enqueueMail(db, { to: gone, ...check })).id,
      flaky: (await enqueueMail(db, { to: flaky, ...check })).id,
    };
    const t0 = new Date("1993-01-01T00:00:00Z");
    await dueAt(t0, Object.values(ids));
    await sendDueMail(db, { now: t0, maxAttempts: 2 });
    const row = (id: string) => db.mailOutbox.findUniqueOrThrow({ where: { id } });
    expect(await row(ids.busy)).toMatchObject({ status: "PENDING", attempts: 1, lastErrorCode: "EENVELOPE:451" });
    expect(await row(ids.gone)).toMatchObject({ status: "FAILED", attempts: 1, lastErrorCode: "EENVELOPE:550" });
    expect(await row(ids.flaky)).toMatchObject({ status: "PENDING", attempts: 1 });

    await sendDueMail(db, { now: new Date(t0.getTime() + 30_000), maxAttempts: 2 });
    expect(await row(ids.busy)).toMatchObject({ status: "SENT", attempts: 2 });
    expect(await row(ids.flaky)).toMatchObject({ status: "FAILED", attempts: 2, lastErrorCode: "EENVELOPE:451" });
    expect(await inbox(busy)).toHaveLength(1);
    expect(await inbox(gone)).toEqual([]);
    expect(await inbox(flaky)).toEqual([]);
    // FAILED is final.
    await sendDueMail(db, { now: at(t0, 24 * 3600_000) });
    expect(await inbox(flaky)).toEqual([]);
  });

  it("concurrent runs never deliver one message twice", async () => {
    const prefix = uniqueEmail("many").replace(/@.*/, "");
    const addresses = Array.from({ length: 30 }, (_, i) => `${prefix}-${i}@example.test`);
    const ids = await db.$transaction(async (tx) => {
      const written: string[] = [];
      for (const to of addresses) written.push((await enqueueMail(tx, { to, ...check })).id);
      return written;
    });
    const epoch = new Date("1994-01-01T00:00:00Z");
    await dueAt(epoch, ids);
    const runner = async () => {
      let claimed = 0;
      for (;;) {
        const report = await sendDueMail(db, { batchSize: 4, now: epoch });
        claimed += report.claimed;
        if (report.claimed === 0) return claimed;
      }
    };
    const claimedPerRunner = await Promise.all([runner(), runner(), runner(), runner()]);
    expect(claimedPerRunner.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(30);
    const rows = await db.mailOutbox.findMany({ where: { to: { in: addresses } } });
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(addresses.map(() => ["SENT", 1]));
    const received = await Promise.all(addresses.map((to) => inbox(to)));
    expect(received.map((messages) => messages.length)).toEqual(addresses.map(() => 1));
  });
});
