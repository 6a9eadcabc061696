import { afterAll, describe, expect, it } from "vitest";
import { bankingDeps } from "@/lib/banking/deps";
import { LinkStep, linkAccountSchema, linkBankAccount } from "@/lib/banking/link-account";
import { removeBankAccount } from "@/lib/banking/remove-account";
import { rejection } from "../helpers/app-error";
import { getPlaid } from "@/lib/plaid/client";
import { plaidErrorOf } from "@/lib/plaid/errors";
import { getStripe } from "@/lib/stripe/client";
import { testDb, uniqueEmail } from "../helpers/db";
import { customUserPassword, linkResult, sandboxControl } from "../helpers/sandbox";

const db = testDb();
afterAll(() => db.$disconnect());
const deps = () => ({ ...bankingDeps(), db });

async function newUser() {
  return db.user.create({ data: { email: uniqueEmail("linker"), name: "Lin Ker", emailVerified: new Date() } });
}

describe("linking a bank account", () => {
  it("exchanges, verifies, attaches at Stripe and stores the access token sealed", async () => {
    const user = await newUser();
    const link = await linkResult();
    const view = await linkBankAccount(deps(), user, link.input());
    expect(view).toMatchObject({
      name: "Plaid Checking",
      mask: "0000",
      subtype: "checking",
      status: "ACTIVE",
      institutionName: "First Platypus Bank",
      itemStatus: "ACTIVE",
      needsMandate: true,
    });
    expect(JSON.stringify(view)).not.toMatch(/access-sandbox|ba_|btok_/);

    const item = await db.plaidItem.findFirstOrThrow({ where: { userId: user.id } });
    expect(item.plaidItemId).toBe(link.plaidItemId);
    expect(item.accessTokenCiphertext).toMatch(/^v1\./);
    expect(item.accessTokenCiphertext).not.toContain("access-sandbox");
    // Sealed under its row's context (fixed: key rotation and every reader use it).
    const { itemAccessToken, openSecret } = await import("@/lib/secrets");
    expect(openSecret(item.accessTokenCiphertext, `plaid_items.access_token:${item.id}`)).toBe(itemAccessToken(item));
    expect(itemAccessToken(item)).toMatch(/^access-sandbox-/);
    const account = await db.bankAccount.findFirstOrThrow({ where: { userId: user.id } });
    const { stripeCustomerId } = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    const source = await getStripe().customers.retrieveSource(stripeCustomerId!, account.stripeBankAccountId!);
    expect(source).toMatchObject({ object: "bank_account", status: "verified", last4: "6789" });
    const attempt = await db.linkAttempt.findFirstOrThrow({ where: { userId: user.id } });
    expect(attempt).toMatchObject({ status: "COMPLETED", step: "completed", linkSessionId: "link-session-test" });
    expect(LinkStep.COMPLETED).toBe("completed"); // the stored values are the step names
    // The item's status moved through the state machine, audited.
    expect(await db.auditLog.findFirst({ where: { action: "item.activated", targetId: item.id } })).toMatchObject({
      actorId: user.id,
      metadata: { from: "LINKING", to: "ACTIVE", cause: "link_completed", linkAttemptId: attempt.id },
    });
  });

  it("stores the institution Plaid reports for the item, never one the request names", async () => {
    const user = await newUser();
    const link = await linkResult({ institutionId: "ins_109509" });
    // What a hostile browser may send: the route parses the body with this schema, then links.
    const body = linkAccountSchema.parse({ ...link.input(), institution: { id: "ins_109508", name: "Totally Legit Bank" } });
    const view = await linkBankAccount(deps(), user, body);
    expect(view.institutionName).toBe("First Gingham Credit Union");
    const account = await db.bankAccount.findUniqueOrThrow({ where: { id: view.id }, include: { item: true } });
    expect(account).toMatchObject({ institutionId: "ins_109509", institutionName: "First Gingham Credit Union" });
    expect(account.item).toMatchObject({ institutionId: "ins_109509", institutionName: "First Gingham Credit Union" });
    expect(await db.linkAttempt.findFirstOrThrow({ where: { userId: user.id } })).toMatchObject({
      institutionId: "ins_109509",
      institutionName: "First Gingham Credit Union",
    });
    expect((await db.auditLog.findFirstOrThrow({ where: { action: "bank_account.linked", targetId: view.id } })).metadata).toMatchObject({
      institutionId: "ins_109509",
    });
    expect(JSON.stringify(await db.auditLog.findMany({ where: { actorId: user.id } }))).not.toContain("Totally Legit");
  });

  it("a Plaid outage while reading the item's institution pauses the link; the same link resumes it", async () => {
    const user = await newUser();
    const link = await linkResult();
    await sandboxControl("faults/add", { rules: [{ route: "/item/get", status: 500, itemId: link.plaidItemId, times: 1 }] });
    expect(await rejection(linkBankAccount(deps(), user, link.input()))).toMatchObject({ status: 502, code: "UPSTREAM_UNAVAILABLE" });
    expect(await db.linkAttempt.findFirstOrThrow({ where: { userId: user.id } })).toMatchObject({
      status: "IN_PROGRESS",
      step: LinkStep.EXCHANGED,
      institutionId: null,
    });
    expect(await db.bankAccount.count({ where: { userId: user.id } })).toBe(0);
    const view = await linkBankAccount(deps(), user, link.input());
    expect(view).toMatchObject({ status: "ACTIVE", institutionName: "First Platypus Bank" });
    expect(await db.linkAttempt.findFirstOrThrow({ where: { userId: user.id } })).toMatchObject({
      status: "COMPLETED",
      institutionId: "ins_109508",
      institutionName: "First Platypus Bank",
    });
    expect(await db.plaidItem.count({ where: { userId: user.id } })).toBe(1);
  });

  it("answers a retried link with the same account and creates nothing twice", async () => {
    const user = await newUser();
    const link = await linkResult();
    const results = await Promise.allSettled([linkBankAccount(deps(), user, link.input()), linkBankAccount(deps(), user, link.input())]);
    const again = await linkBankAccount(deps(), user, link.input());
    const ok = results.filter((r) => r.status === "fulfilled").map((r) => (r as PromiseFulfilledResult<{ id: string }>).value.id);
    expect(new Set([...ok, again.id]).size).toBe(1);
    expect(await db.plaidItem.count({ where: { userId: user.id } })).toBe(1);
    expect(await db.bankAccount.count({ where: { userId: user.id } })).toBe(1);
    const { stripeCustomerId } = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    const sources = await getStripe().customers.listSources(stripeCustomerId!, { object: "bank_account" });
    expect(sources.data).toHaveLength(1);
  });

  it("reuses the user's Stripe customer for a second bank", async () => {
    const user = await newUser();
    await linkBankAccount(deps(), user, (await linkResult()).input());
    const first = (await db.user.findUniqueOrThrow({ where: { id: user.id } })).stripeCustomerId;
    // Plaid's default numbers all map to one Stripe test account, so the second bank needs its own numbers.
    const other = await linkResult({
      institutionId: "ins_109509",
      username: "user_custom",
      password: customUserPassword({ accountNumber: "000000000009", mask: "0009" }),
    });
    await linkBankAccount(deps(), user, other.input("Custom Checking"));
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).stripeCustomerId).toBe(first);
    expect(await db.bankAccount.count({ where: { userId: user.id, status: "ACTIVE" } })).toBe(2);
  });

  it("answers Stripe's bank_account_exists as a duplicate and cleans up the item", async () => {
    const user = await newUser();
    await linkBankAccount(deps(), user, (await linkResult()).input());
    // Another institution, but Plaid Sandbox gives the same Stripe test numbers.
    const second = await linkResult({ institutionId: "ins_109510" });
    const err = await rejection(linkBankAccount(deps(), user, second.input()));
    expect(err).toMatchObject({ status: 409, code: "DUPLICATE_ACCOUNT" });
    expect((await db.plaidItem.findUniqueOrThrow({ where: { plaidItemId: second.plaidItemId } })).status).toBe("REMOVED");
    // Failed at Stripe, after the customer step: the attempt and its audit entry say so.
    const attempt = await db.linkAttempt.findFirstOrThrow({ where: { userId: user.id, status: "FAILED" } });
    expect(attempt.step).toBe(LinkStep.CUSTOMER);
    expect(
      (await db.auditLog.findFirstOrThrow({ where: { action: "bank_account.link_failed", targetId: attempt.id } })).metadata,
    ).toMatchObject({ code: "DUPLICATE_ACCOUNT", step: LinkStep.CUSTOMER });
  });

  it("requires exactly one account from Account Select", async () => {
    const user = await newUser();
    const err = await rejection(linkBankAccount(deps(), user, { ...(await linkResult()).input(), accountCount: 2 }));
    expect(err).toMatchObject({ status: 400, code: "SINGLE_ACCOUNT_REQUIRED" });
    expect(await db.plaidItem.count({ where: { userId: user.id } })).toBe(0);
  });

  it("refuses a non-depository account and removes the item at Plaid", async () => {
    const user = await newUser();
    const link = await linkResult();
    const err = await rejection(linkBankAccount(deps(), user, link.input("Plaid Credit Card")));
    expect(err).toMatchObject({ status: 400, code: "ACCOUNT_NOT_ELIGIBLE" });
    const item = await db.plaidItem.findFirstOrThrow({ where: { userId: user.id } });
    expect(item.status).toBe("REMOVED");
    expect(item.removedAt).not.toBeNull();
    expect(await db.auditLog.findFirst({ where: { action: "item.removed", targetId: item.id } })).toMatchObject({
      actorId: user.id,
      metadata: { from: "LINKING", to: "REMOVED", cause: "link_failed" },
    });
    expect((await db.linkAttempt.findFirstOrThrow({ where: { userId: user.id } })).status).toBe("FAILED");
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).stripeCustomerId).toBeNull();
  });

  it("refuses an account id from another item", async () => {
    const user = await newUser();
    const other = await linkResult();
    const link = await linkResult();
    const err = await rejection(linkBankAccount(deps(), user, { ...link.input(), accountId: other.input().accountId }));
    expect(err.code).toMatch(/INVALID_ACCOUNT_ID/);
  });

  it("detects a duplicate (same institution and mask) with a clear message", async () => {
    const user = await newUser();
    await linkBankAccount(deps(), user, (await linkResult()).input());
    const second = await linkResult();
    const err = await rejection(linkBankAccount(deps(), user, second.input()));
    expect(err).toMatchObject({ status: 409, code: "DUPLICATE_ACCOUNT" });
    expect(err.message).toMatch(/already linked First Platypus Bank ····0000/);
    const duplicateItem = await db.plaidItem.findUniqueOrThrow({ where: { plaidItemId: second.plaidItemId } });
    expect(duplicateItem.status).toBe("REMOVED");
  });

  it("answers an invalid public token with Plaid's message and records the failure", async () => {
    const user = await newUser();
    const link = await linkResult();
    const err = await rejection(
      linkBankAccount(deps(), user, { ...link.input(), publicToken: "public-sandbox-00000000-0000-0000-0000-000000000000" }),
    );
    expect(err).toMatchObject({ status: 400, code: "INVALID_PUBLIC_TOKEN" });
  });

  it("a bank that is down pauses the link (the same link resumes); one Plaid no longer supports fails it", async () => {
    const user = await newUser();
    const link = await linkResult();
    // Plaid's INSTITUTION_DOWN (INSTITUTION_ERROR, HTTP 400) for this item only: transient.
    await sandboxControl("faults/add", {
      rules: [{ route: "/accounts/get", code: "INSTITUTION_DOWN", itemId: link.plaidItemId, times: 1 }],
    });
    expect(await rejection(linkBankAccount(deps(), user, link.input()))).toMatchObject({ status: 502, code: "UPSTREAM_UNAVAILABLE" });
    expect(await db.linkAttempt.findFirstOrThrow({ where: { userId: user.id } })).toMatchObject({
      status: "IN_PROGRESS",
      step: LinkStep.INSTITUTION,
      errorCode: "INSTITUTION_DOWN",
    });
    expect((await linkBankAccount(deps(), user, link.input())).status).toBe("ACTIVE");

    // INSTITUTION_NO_LONGER_SUPPORTED is also an INSTITUTION_ERROR, but final.
    const other = await newUser();
    const gone = await linkResult();
    await sandboxControl("faults/add", {
      rules: [{ route: "/accounts/get", code: "INSTITUTION_NO_LONGER_SUPPORTED", itemId: gone.plaidItemId, times: 1 }],
    });
    expect(await rejection(linkBankAccount(deps(), other, gone.input()))).toMatchObject({
      status: 400,
      code: "INSTITUTION_NO_LONGER_SUPPORTED",
    });
    expect(await db.linkAttempt.findFirstOrThrow({ where: { userId: other.id } })).toMatchObject({ status: "FAILED" });
    expect((await db.plaidItem.findUniqueOrThrow({ where: { plaidItemId: gone.plaidItemId } })).status).toBe("REMOVED");
  });

  it("removing a bank while Plaid is unavailable answers UPSTREAM_UNAVAILABLE and keeps it; trying again removes it", async () => {
    const user = await newUser();
    const link = await linkResult();
    const view = await linkBankAccount(deps(), user, link.input());
    await sandboxControl("faults/add", { rules: [{ route: "/item/remove", status: 500, itemId: link.plaidItemId, times: 1 }] });
    expect(await rejection(removeBankAccount(deps(), { id: user.id }, view.id))).toMatchObject({
      status: 502,
      code: "UPSTREAM_UNAVAILABLE",
    });
    expect((await db.bankAccount.findUniqueOrThrow({ where: { id: view.id } })).status).toBe("ACTIVE");
    await removeBankAccount(deps(), { id: user.id }, view.id);
    expect((await db.bankAccount.findUniqueOrThrow({ where: { id: view.id }, include: { item: true } })).item.status).toBe("REMOVED");
  });

  it("removes a bank: detaches at Stripe, removes the item at Plaid, keeps history; other users get 404", async () => {
    const user = await newUser();
    const stranger = await newUser();
    const view = await linkBankAccount(deps(), user, (await linkResult()).input());
    const account = await db.bankAccount.findUniqueOrThrow({ where: { id: view.id }, include: { item: true } });

    expect(await rejection(removeBankAccount(deps(), { id: stranger.id }, view.id))).toMatchObject({ status: 404 });
    await removeBankAccount(deps(), { id: user.id }, view.id);

    const after = await db.bankAccount.findUniqueOrThrow({ where: { id: view.id }, include: { item: true } });
    expect(after.status).toBe("REMOVED");
    expect(after.item.status).toBe("REMOVED");
    expect(after.item.removedAt).not.toBeNull();
    expect(await db.auditLog.findFirst({ where: { action: "item.removed", targetId: after.item.id } })).toMatchObject({
      actorId: user.id,
      metadata: { from: "ACTIVE", to: "REMOVED", cause: "removed", bankAccountId: view.id, byAdmin: false },
    });
    const { stripeCustomerId } = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    await expect(getStripe().customers.retrieveSource(stripeCustomerId!, account.stripeBankAccountId!)).rejects.toMatchObject({
      code: "resource_missing",
    });
    const { itemAccessToken } = await import("@/lib/secrets");
    const accessToken = itemAccessToken(account.item);
    const gone = await getPlaid()
      .itemGet({ access_token: accessToken })
      .catch((e: unknown) => plaidErrorOf(e));
    expect(gone).toMatchObject({ error_code: expect.stringMatching(/ITEM_NOT_FOUND|INVALID_ACCESS_TOKEN/) });

    // The same account can be linked again once removed.
    const relinked = await linkBankAccount(deps(), user, (await linkResult()).input());
    expect(relinked.id).not.toBe(view.id);
  });
});
