import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { bankingDeps } from "@/lib/banking/deps";
import { rejection } from "../helpers/app-error";
import { linkBankAccount } from "@/lib/banking/link-account";
import { removeBankAccount } from "@/lib/banking/remove-account";
import { createFundingPayment } from "@/lib/funding/create-payment";
import { listBankAccounts } from "@/lib/funding/dashboard";
import { MANDATE_TEXT_VERSION } from "@/lib/funding/mandates";
import { compareIdentity } from "@/lib/banking/identity-match";
import { decideReview, getBankAccountForReview, listReviewQueue, removeAccountAsAdmin } from "@/lib/admin/review";
import { getSettings, updateSettings } from "@/lib/settings";
import { getAdminOverview } from "@/lib/admin/overview";
import { getStripe } from "@/lib/stripe/client";
import { getPlaid } from "@/lib/plaid/client";
import { plaidErrorOf } from "@/lib/plaid/errors";
import { itemAccessToken } from "@/lib/secrets";
import { uniqueEmail, signedIn } from "../helpers/db";
import { linkResult, sandboxControl } from "../helpers/sandbox";
import { customAccount, isolatedDb, randomAccountNumber } from "../helpers/admin-support";

let db: Db;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await isolatedDb());
});
afterAll(() => close());

const LIMITS = { minCents: 100, maxCents: 50_000, dailyMaxCents: 60_000, thirtyDayMaxCents: 100_000 };
const deps = () => ({ ...bankingDeps(), db });
const fundDeps = () => ({ ...deps(), limits: LIMITS });
const ctx = { ip: "198.51.100.9", userAgent: "vitest" };
const accepted = { accepted: true as const, textVersion: MANDATE_TEXT_VERSION };

async function newUser(name = "Rae Viewer", role: "USER" | "ADMIN" = "USER") {
  return signedIn(
    db,
    await db.user.create({ data: { email: uniqueEmail(role === "ADMIN" ? "admin" : "reviewed"), name, role, emailVerified: new Date() } }),
  );
}

async function link(
  user: { id: string; email: string; name: string | null; emailVerified: Date | null },
  options: { institutionId?: string; password?: string } = {},
) {
  const result = await linkResult({
    institutionId: options.institutionId,
    username: options.password ? "user_custom" : "user_good",
    password: options.password,
  });
  const view = await linkBankAccount(deps(), user, result.input(options.password ? "Custom Checking" : "Plaid Checking"));
  return { view, result };
}

describe("identity comparison", () => {
  it("matches first and last name, treats email or last name alone as partial", () => {
    const owners = [{ names: ["José Q. Álvarez"], emails: ["jose@example.test"] }];
    expect(compareIdentity({ name: "Jose Alvarez", email: "x@example.test" }, owners).verdict).toBe("MATCH");
    expect(compareIdentity({ name: "Maria Alvarez", email: "x@example.test" }, owners).verdict).toBe("PARTIAL");
    expect(compareIdentity({ name: "Sam Smith", email: "JOSE@example.test" }, owners)).toEqual({
      verdict: "PARTIAL",
      nameMatched: false,
      emailMatched: true,
    });
    expect(compareIdentity({ name: "Sam Smith", email: "s@example.test" }, owners).verdict).toBe("NO_MATCH");
    expect(compareIdentity({ name: null, email: "s@example.test" }, []).verdict).toBe("UNAVAILABLE");
  });
});

describe("review signals recorded at link time", () => {
  it("identity match against the bank's owners keeps the verdict and names only", async () => {
    const user = await newUser("Morgan Keeling");
    const numbers = randomAccountNumber();
    const { view } = await link(user, {
      password: customAccount({ ...numbers, owners: { names: ["Morgan A. Keeling"], emails: ["morgan.private@example.org"] } }),
    });
    const signals = await db.bankAccountReview.findUniqueOrThrow({ where: { bankAccountId: view.id } });
    expect(signals).toMatchObject({
      identityVerdict: "MATCH",
      nameMatched: true,
      emailMatched: false,
      ownerNames: ["Morgan A. Keeling"],
      identityError: null,
    });
    expect(signals.stripeFingerprint).toEqual(expect.any(String));
    expect(JSON.stringify(signals)).not.toContain("morgan.private@example.org");

    const other = await newUser("Quinn Other");
    const { view: mismatch } = await link(other); // user_good: owner "Alberta Bobbeth Charleson"
    const s2 = await getBankAccountForReview(db, mismatch.id);
    expect(s2.signals).toMatchObject({ identityVerdict: "NO_MATCH", ownerNames: ["Alberta Bobbeth Charleson"] });
  });

  it("flags a first-seen institution, and not the second account there", async () => {
    const a = await newUser();
    const b = await newUser();
    const first = await link(a, { institutionId: "ins_109512", password: customAccount(randomAccountNumber()) });
    const second = await link(b, { institutionId: "ins_109512", password: customAccount(randomAccountNumber()) });
    expect((await getBankAccountForReview(db, first.view.id)).signals?.firstSeenInstitution).toBe(true);
    expect((await getBankAccountForReview(db, second.view.id)).signals?.firstSeenInstitution).toBe(false);
  });

  it("flags the same institution+mask or the same Stripe fingerprint linked by several users", async () => {
    const numbers = randomAccountNumber();
    const [a, b, c] = [await newUser(), await newUser(), await newUser()];
    const solo = await link(a, { institutionId: "ins_109511", password: customAccount(numbers) });
    expect((await getBankAccountForReview(db, solo.view.id)).signals).toMatchObject({
      duplicateUserCount: 0,
      duplicateUserCountAtLink: 0,
      fingerprintShared: false,
    });

    // Same institution and mask, same numbers.
    const same = await link(b, { institutionId: "ins_109511", password: customAccount(numbers) });
    expect((await getBankAccountForReview(db, same.view.id)).signals).toMatchObject({
      duplicateUserCount: 1,
      duplicateUserCountAtLink: 1,
      fingerprintShared: true,
    });

    // Another institution and mask, but the same account numbers: only Stripe's fingerprint gives it away.
    const disguised = await link(c, {
      institutionId: "ins_109510",
      password: customAccount({ accountNumber: numbers.accountNumber, mask: "0042" }),
    });
    const view = await getBankAccountForReview(db, disguised.view.id);
    expect(view.signals).toMatchObject({ duplicateUserCount: 2, duplicateUserCountAtLink: 2, fingerprintShared: true });
    // The first account now shows both others too (live), though it had no duplicate when linked.
    expect((await getBankAccountForReview(db, solo.view.id)).signals).toMatchObject({
      duplicateUserCount: 2,
      duplicateUserCountAtLink: 0,
      fingerprintShared: true,
    });
    // In the queue as well (signals computed for a whole page at once).
    const inQueue = (await listReviewQueue(db)).items.filter((i) => [solo.view.id, same.view.id, disguised.view.id].includes(i.id));
    expect(inQueue.map((i) => i.signals?.duplicateUserCount)).toEqual([2, 2, 2]);
  });

  it("shows recent failed payments on the account and the user, and the queue lists pending accounts oldest first", async () => {
    const user = await newUser();
    const { view } = await link(user, { password: customAccount({ ...randomAccountNumber(), current: 5_000 }) });
    const { payment } = await createFundingPayment(
      fundDeps(),
      user,
      { requestId: randomUUID(), bankAccountId: view.id, amountCents: 1_500, mandate: accepted },
      ctx,
    );
    // An old failure does not count. (Sent before the return: Stripe refuses debits on an account closed by a return.)
    const old = await createFundingPayment(fundDeps(), user, { requestId: randomUUID(), bankAccountId: view.id, amountCents: 1_000 }, ctx);
    const row = await db.payment.findUniqueOrThrow({ where: { id: payment.id } });
    await sandboxControl("stripe/fail", { payment_intent: row.stripePaymentIntentId, code: "account_closed" });
    await db.payment.update({ where: { id: payment.id }, data: { status: "FAILED", failureCode: "account_closed" } });
    await db.payment.update({
      where: { id: old.payment.id },
      data: { status: "FAILED", createdAt: new Date(Date.now() - 40 * 86_400_000) },
    });

    const queued = await listReviewQueue(db);
    const item = queued.items.find((i) => i.id === view.id) ?? (await getBankAccountForReview(db, view.id));
    expect(item.recentFailures).toEqual({ account: 1, user: 1 });
    expect(queued.items.every((i) => i.reviewStatus === "PENDING")).toBe(true);
    const times = queued.items.map((i) => i.createdAt);
    expect([...times].sort()).toEqual(times);
  });

  it("a link still completes when the identity call fails, with the verdict UNAVAILABLE", async () => {
    const user = await newUser();
    await sandboxControl("faults", { rules: [{ route: "/identity/get", status: 500, times: 1 }] });
    try {
      const { view } = await link(user, { password: customAccount(randomAccountNumber()) });
      expect(view.status).toBe("ACTIVE");
      expect((await getBankAccountForReview(db, view.id)).signals).toMatchObject({
        identityVerdict: "UNAVAILABLE",
        identityError: "INTERNAL_SERVER_ERROR",
      });
    } finally {
      await sandboxControl("faults/clear");
    }
  });
});

describe("review decisions", () => {
  it("approve and block are audited; a block refuses funding at once, lifting it (with a reason) lets it fund", async () => {
    const admin = await newUser("Ada Min", "ADMIN");
    const user = await newUser();
    const { view } = await link(user, { password: customAccount(randomAccountNumber()) });
    const fund = (amountCents: number) =>
      createFundingPayment(fundDeps(), user, { requestId: randomUUID(), bankAccountId: view.id, amountCents, mandate: accepted }, ctx);

    await fund(1_000);
    const blocked = await decideReview(db, { id: admin.id, ip: "203.0.113.5" }, view.id, "block");
    expect(blocked.reviewStatus).toBe("BLOCKED");
    expect(await rejection(fund(1_000))).toMatchObject({ status: 422, code: "ACCOUNT_BLOCKED" });

    expect(await rejection(decideReview(db, { id: admin.id }, view.id, "approve"))).toMatchObject({ status: 400, code: "REASON_REQUIRED" });
    const approved = await decideReview(db, { id: admin.id }, view.id, "approve", "Checked with the bank");
    expect(approved.reviewStatus).toBe("APPROVED");
    await fund(1_000);

    const audit = await db.auditLog.findMany({
      where: { targetId: view.id, action: { startsWith: "admin." } },
      orderBy: { createdAt: "asc" },
    });
    expect(audit.map((a) => [a.action, a.actorId])).toEqual([
      ["admin.bank_account.blocked", admin.id],
      ["admin.bank_account.block_lifted", admin.id],
    ]);
    expect(audit[1]).toMatchObject({ metadata: { from: "BLOCKED", to: "APPROVED", reason: "Checked with the bank", blocksLifted: 1 } });
    expect(audit[0]).toMatchObject({ ip: "203.0.113.5", metadata: { from: "PENDING", to: "BLOCKED", userId: user.id } });
    expect(await db.bankAccountReview.findUniqueOrThrow({ where: { bankAccountId: view.id } })).toMatchObject({
      reviewedById: admin.id,
      reviewedAt: expect.any(Date),
    });
  });

  it("remove detaches the Stripe bank account and removes the Plaid item", async () => {
    const admin = await newUser("Ada Min", "ADMIN");
    const user = await newUser();
    const { view } = await link(user, { password: customAccount(randomAccountNumber()) });
    const before = await db.bankAccount.findUniqueOrThrow({ where: { id: view.id }, include: { item: true, user: true } });

    await removeAccountAsAdmin(deps(), { id: admin.id }, view.id);
    const after = await db.bankAccount.findUniqueOrThrow({ where: { id: view.id }, include: { item: true } });
    expect(after).toMatchObject({ status: "REMOVED", item: { status: "REMOVED" } });
    await expect(getStripe().customers.retrieveSource(before.user.stripeCustomerId!, before.stripeBankAccountId!)).rejects.toMatchObject({
      code: "resource_missing",
    });
    const gone = await getPlaid()
      .itemGet({ access_token: itemAccessToken(before.item) })
      .catch((e: unknown) => plaidErrorOf(e));
    expect(gone).toMatchObject({ error_code: expect.stringMatching(/ITEM_NOT_FOUND|INVALID_ACCESS_TOKEN/) });
    const actions = (await db.auditLog.findMany({ where: { targetId: view.id }, select: { action: true, actorId: true } }))
      .filter((a) => a.actorId === admin.id)
      .map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["bank_account.removed", "admin.bank_account.removed"]));
    expect((await listReviewQueue(db)).items.map((i) => i.id)).not.toContain(view.id);
    expect(await rejection(removeAccountAsAdmin(deps(), { id: admin.id }, view.id))).toMatchObject({ status: 404 });
  });

  it("the fund-before-review setting: on by default; off → PENDING accounts get ACCOUNT_UNDER_REVIEW, approved ones fund", async () => {
    const admin = await newUser("Ada Min", "ADMIN");
    expect(await getSettings(db)).toEqual({ allowFundingBeforeReview: true });
    const user = await newUser();
    const { view } = await link(user, { password: customAccount(randomAccountNumber()) });
    try {
      await updateSettings(db, { id: admin.id }, { allowFundingBeforeReview: false });
      expect(await getSettings(db)).toEqual({ allowFundingBeforeReview: false });
      const err = await rejection(
        createFundingPayment(
          fundDeps(),
          user,
          { requestId: randomUUID(), bankAccountId: view.id, amountCents: 1_000, mandate: accepted },
          ctx,
        ),
      );
      expect(err).toMatchObject({ status: 422, code: "ACCOUNT_UNDER_REVIEW" });
      expect(await db.payment.count({ where: { userId: user.id } })).toBe(0);

      await decideReview(db, { id: admin.id }, view.id, "approve");
      const ok = await createFundingPayment(
        fundDeps(),
        user,
        { requestId: randomUUID(), bankAccountId: view.id, amountCents: 1_000, mandate: accepted },
        ctx,
      );
      expect(ok.created).toBe(true);
      expect(await db.auditLog.findFirst({ where: { action: "admin.settings.updated", actorId: admin.id } })).toMatchObject({
        metadata: { from: true, to: false },
      });
    } finally {
      await updateSettings(db, { id: admin.id }, { allowFundingBeforeReview: true });
    }
  });

  it("the overview counts accounts awaiting review and items needing reconnection", async () => {
    const user = await newUser();
    const { view, result } = await link(user, { password: customAccount(randomAccountNumber()) });
    await db.plaidItem.update({ where: { id: view.itemId }, data: { status: "LOGIN_REQUIRED" } });
    const overview = await getAdminOverview(db);
    expect(overview.accountsAwaitingReview).toBe(await db.bankAccount.count({ where: { reviewStatus: "PENDING", status: "ACTIVE" } }));
    expect(overview.accountsAwaitingReview).toBe((await listReviewQueue(db)).total);
    expect(overview.itemsNeedingReconnection).toBeGreaterThanOrEqual(1);
    expect(overview.users.total).toBe(await db.user.count());
    expect(overview.dailyVolume).toHaveLength(30);
    expect(result.plaidItemId).toBeTruthy();
  });
});

describe("automatic review rules at link time", () => {
  const owned = (user: { name: string | null }, numbers = randomAccountNumber()) =>
    customAccount({ ...numbers, owners: { names: [user.name!] } });
  const fundOnce = (user: Awaited<ReturnType<typeof newUser>>, bankAccountId: string) =>
    createFundingPayment(fundDeps(), user, { requestId: randomUUID(), bankAccountId, amountCents: 1_000, mandate: accepted }, ctx);
  const ruleAudit = (bankAccountId: string) =>
    db.auditLog.findMany({
      where: { targetId: bankAccountId, action: { in: ["bank_account.auto_approved", "bank_account.held_for_review"] } },
    });

  /** Runs `body` with "fund before review" off, then turns it on again. */
  async function withFundingBeforeReviewOff(body: () => Promise<void>) {
    const admin = await newUser("Ada Min", "ADMIN");
    await updateSettings(db, { id: admin.id }, { allowFundingBeforeReview: false });
    try {
      await body();
    } finally {
      await updateSettings(db, { id: admin.id }, { allowFundingBeforeReview: true });
    }
  }

  it("approves a clean account (identity match, known bank, no duplicates, returns or blocks); it funds with the setting off", async () => {
    const earlier = await newUser("Early Bird");
    await link(earlier, { institutionId: "ins_109508", password: owned(earlier) });
    const user = await newUser("Casey Clean");
    const { view } = await link(user, { institutionId: "ins_109508", password: owned(user) });

    expect(view.reviewStatus).toBe("APPROVED");
    expect(await db.bankAccountReview.findUniqueOrThrow({ where: { bankAccountId: view.id } })).toMatchObject({
      identityVerdict: "MATCH",
      firstSeenInstitution: false,
      duplicateUserCount: 0,
      earlierReturns: 0,
      earlierBlocks: 0,
      ruleDecision: "approve",
      ruleReasons: [],
      rulesAppliedAt: expect.any(Date),
    });
    expect(await ruleAudit(view.id)).toEqual([
      expect.objectContaining({
        action: "bank_account.auto_approved",
        actorId: null,
        metadata: expect.objectContaining({ userId: user.id, reasons: [], reviewStatus: "APPROVED" }),
      }),
    ]);
    const shown = await getBankAccountForReview(db, view.id);
    expect(shown.rules).toMatchObject({ decision: "approve", checks: expect.arrayContaining([expect.objectContaining({ passed: true })]) });
    expect(shown.rules?.checks.every((c) => c.passed)).toBe(true);

    await withFundingBeforeReviewOff(async () => {
      expect(await listBankAccounts(db, user.id)).toMatchObject([{ id: view.id, awaitingReview: false }]);
      expect((await fundOnce(user, view.id)).created).toBe(true);
    });
  });

  it("holds an account another user linked with the same numbers, and one at a first-seen bank; neither funds with the setting off", async () => {
    const numbers = randomAccountNumber();
    const first = await newUser("Fern First");
    await link(first, { institutionId: "ins_109508", password: owned(first, numbers) });
    const second = await newUser("Sid Second");
    const duplicate = await link(second, { institutionId: "ins_109508", password: owned(second, numbers) });

    const pioneer = await newUser("Pia Pioneer");
    const firstSeen = await link(pioneer, { institutionId: "ins_109509", password: owned(pioneer) });

    for (const [user, { view }, reasons] of [
      [second, duplicate, ["duplicates"]],
      [pioneer, firstSeen, ["institution"]],
    ] as const) {
      expect(view.reviewStatus).toBe("PENDING");
      expect(await db.bankAccountReview.findUniqueOrThrow({ where: { bankAccountId: view.id } })).toMatchObject({
        identityVerdict: "MATCH",
        ruleDecision: "hold",
        ruleReasons: reasons,
      });
      expect(await ruleAudit(view.id)).toEqual([
        expect.objectContaining({
          action: "bank_account.held_for_review",
          metadata: expect.objectContaining({ userId: user.id, reasons, reviewStatus: "PENDING" }),
        }),
      ]);
      const held = (await getBankAccountForReview(db, view.id)).rules!;
      expect(held.decision).toBe("hold");
      expect(held.checks.filter((c) => !c.passed).map((c) => c.rule)).toEqual(reasons);
      // The person is told it awaits review only while that stops funding.
      expect(view.awaitingReview).toBe(false);
      await withFundingBeforeReviewOff(async () => {
        expect(await listBankAccounts(db, user.id)).toMatchObject([{ id: view.id, awaitingReview: true }]);
        expect(await rejection(fundOnce(user, view.id))).toMatchObject({ status: 422, code: "ACCOUNT_UNDER_REVIEW" });
      });
      expect(await db.payment.count({ where: { bankAccountId: view.id } })).toBe(0);
    }
    expect((await listReviewQueue(db)).items.map((i) => i.id)).toEqual(expect.arrayContaining([duplicate.view.id, firstSeen.view.id]));
  });

  it("holds an account with an earlier return from the same numbers", async () => {
    const user = await newUser("Remy Returned");
    const numbers = randomAccountNumber();
    const earlier = await link(user, { institutionId: "ins_109508", password: owned(user, numbers) });
    const { payment } = await fundOnce(user, earlier.view.id);
    await db.payment.update({ where: { id: payment.id }, data: { status: "FAILED", failureCode: "insufficient_funds" } });
    await removeBankAccount(deps(), { id: user.id }, earlier.view.id);

    const { view } = await link(user, { institutionId: "ins_109508", password: owned(user, numbers) });
    expect(view.reviewStatus).toBe("PENDING");
    expect(await db.bankAccountReview.findUniqueOrThrow({ where: { bankAccountId: view.id } })).toMatchObject({
      earlierReturns: 1,
      ruleReasons: ["returns"],
    });
  });

  it("another user's account with the numbers of a blocked one is held for review, with the rules that held it", async () => {
    const admin = await newUser("Ada Min", "ADMIN");
    const user = await newUser("Blair Blocked");
    const numbers = randomAccountNumber();
    const { view: original } = await link(user, { institutionId: "ins_109508", password: owned(user, numbers) });
    await decideReview(db, { id: admin.id }, original.id, "block");

    // Another user with the same numbers is not blocked by this user's block (lib/banking/blocks.ts) but held:
    // the numbers are shared, and a block was recorded for them.
    const other = await newUser("Otto Other");
    const { view: held } = await link(other, { institutionId: "ins_109508", password: owned(other, numbers) });
    expect(held.reviewStatus).toBe("PENDING");
    expect(await db.bankAccountReview.findUniqueOrThrow({ where: { bankAccountId: held.id } })).toMatchObject({
      ruleDecision: "hold",
      ruleReasons: ["duplicates", "blocks"],
    });
    expect(await ruleAudit(held.id)).toEqual([
      expect.objectContaining({ action: "bank_account.held_for_review", metadata: expect.objectContaining({ reviewStatus: "PENDING" }) }),
    ]);
    // The blocked user's own relink lands blocked and stays so, with the rules that held it.
    await removeBankAccount(deps(), { id: admin.id, isAdmin: true }, original.id);
    const { view: again } = await link(user, { institutionId: "ins_109508", password: owned(user, numbers) });
    expect(again.reviewStatus).toBe("BLOCKED");
    expect(await ruleAudit(again.id)).toEqual([
      expect.objectContaining({ action: "bank_account.held_for_review", metadata: expect.objectContaining({ reviewStatus: "BLOCKED" }) }),
    ]);
  });

  it("an account matching a lifted block is held, not approved", async () => {
    const admin = await newUser("Ada Min", "ADMIN");
    const user = await newUser("Lee Lifted");
    const numbers = randomAccountNumber();
    const { view: original } = await link(user, { institutionId: "ins_109508", password: owned(user, numbers) });
    await decideReview(db, { id: admin.id }, original.id, "block");
    // The block is lifted; the same user removes the account and links it again: held for a person to look at.
    await decideReview(db, { id: admin.id }, original.id, "approve", "Customer called; confirmed by phone.");
    await removeBankAccount(deps(), { id: user.id }, original.id);
    const { view: again } = await link(user, { institutionId: "ins_109508", password: owned(user, numbers) });
    expect(again.reviewStatus).toBe("PENDING");
    expect(await db.bankAccountReview.findUniqueOrThrow({ where: { bankAccountId: again.id } })).toMatchObject({
      identityVerdict: "MATCH",
      duplicateUserCount: 0,
      earlierBlocks: 1,
      ruleDecision: "hold",
      ruleReasons: ["blocks"],
    });
  });
});
