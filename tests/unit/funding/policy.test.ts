import { describe, expect, it } from "vitest";
import {
  checkAccountMayFund,
  checkAmount,
  accountRefusal,
  checkRollingTotals,
  checkUserMayFund,
  rollingWindows,
  type FundingLimits,
} from "@/lib/funding/policy";
import type { FundingAccount } from "@/lib/funding/funding-context";
import { MANDATE_TEXT_VERSION } from "@/lib/funding/mandate-text";
import type { ErrorCode } from "@/lib/errors";
import { expectAppError } from "../../helpers/app-error";

const LIMITS: FundingLimits = { minCents: 100, maxCents: 500_000, dailyMaxCents: 1_000_000, thirtyDayMaxCents: 2_500_000 };

describe("the person", () => {
  it("may fund once the email address is verified, and is told to verify it before", async () => {
    expect(() => checkUserMayFund({ emailVerified: new Date() })).not.toThrow();
    await expectAppError(() => checkUserMayFund({ emailVerified: null }), {
      status: 403,
      code: "EMAIL_NOT_VERIFIED",
      message: "Verify your email address before you add funds. We sent you a link.",
    });
  });
});

describe("per-transfer amount", () => {
  it.each([100, 101, 250_000, 500_000])("%i cents is allowed", (cents) => {
    expect(() => checkAmount(cents, LIMITS)).not.toThrow();
  });
  it.each<[number, ErrorCode, string]>([
    [99, "AMOUNT_TOO_SMALL", "The minimum is $1.00 per transfer."],
    [0, "AMOUNT_TOO_SMALL", "The minimum is $1.00 per transfer."],
    [500_001, "AMOUNT_TOO_LARGE", "The maximum is $5,000.00 per transfer."],
  ])("%i cents is refused with %s", async (cents, code, message) => {
    await expectAppError(() => checkAmount(cents, LIMITS), { status: 422, code, message });
  });
});

describe("daily and 30-day limits", () => {
  it.each([
    ["exactly at the daily limit", { dayCents: 900_000, thirtyDayCents: 900_000 }, 100_000],
    ["exactly at the 30-day limit", { dayCents: 0, thirtyDayCents: 2_400_000 }, 100_000],
    ["nothing debited yet", { dayCents: 0, thirtyDayCents: 0 }, 1_000_000],
  ])("allowed: %s", (_label, totals, amount) => {
    expect(() => checkRollingTotals(totals, amount, LIMITS)).not.toThrow();
  });

  it.each<[string, { dayCents: number; thirtyDayCents: number }, number, ErrorCode, string]>([
    ["one cent over the daily limit", { dayCents: 900_000, thirtyDayCents: 900_000 }, 100_001, "DAILY_LIMIT", "($1,000.00 left today)"],
    ["one cent over the 30-day limit", { dayCents: 0, thirtyDayCents: 2_400_000 }, 100_001, "THIRTY_DAY_LIMIT", "($1,000.00 left)"],
    ["over both: the daily one is named", { dayCents: 1_000_000, thirtyDayCents: 2_500_000 }, 1, "DAILY_LIMIT", "($0.00 left today)"],
    [
      "already past the daily limit: nothing left, never negative",
      { dayCents: 1_200_000, thirtyDayCents: 1_200_000 },
      100,
      "DAILY_LIMIT",
      "($0.00 left today)",
    ],
  ])("refused: %s", async (_label, totals, amount, code, left) => {
    const error = await expectAppError(() => checkRollingTotals(totals, amount, LIMITS), { status: 422, code });
    expect(error.message).toContain(left);
  });

  it("windows are the last 24 hours and the last 30 days", () => {
    const now = new Date("2026-12-03T12:00:00.000Z");
    expect(rollingWindows(now)).toEqual({
      dayStart: new Date("2026-12-02T12:00:00.000Z"),
      thirtyDayStart: new Date("2026-11-03T12:00:00.000Z"),
    });
  });
});

const ready: FundingAccount = {
  id: "ba_row",
  status: "ACTIVE",
  reviewStatus: "APPROVED",
  plaidAccountId: "acc",
  stripeBankAccountId: "ba_123",
  institutionName: "First Platypus Bank",
  mask: "0000",
  item: { id: "item", status: "ACTIVE", accessTokenCiphertext: "v1.k.x" },
  mandate: { id: "m", stripeMandateId: "mandate_1", acceptedAt: new Date(0), ipAddress: "127.0.0.1", userAgent: "ua" },
};
interface Context {
  stripeCustomerId: string | null;
  allowFundingBeforeReview: boolean;
  mandateTextVersion: string | null;
}
const context: Context = { stripeCustomerId: "cus_1", allowFundingBeforeReview: true, mandateTextVersion: null };

describe("whether an account may fund now", () => {
  it("a ready account with an authorization on file passes, with its Stripe ids", () => {
    expect(checkAccountMayFund(ready, context)).toMatchObject({ stripeBankAccountId: "ba_123", stripeCustomerId: "cus_1" });
  });
  it("the first debit passes with the current authorization text accepted", () => {
    expect(() => checkAccountMayFund({ ...ready, mandate: null }, { ...context, mandateTextVersion: MANDATE_TEXT_VERSION })).not.toThrow();
  });

  it.each<[string, FundingAccount | null, Partial<Context>, number, ErrorCode]>([
    ["unknown or someone else's account", null, {}, 404, "NOT_FOUND"],
    ["removed", { ...ready, status: "REMOVED" }, {}, 404, "NOT_FOUND"],
    ["unusable after an ACH return", { ...ready, status: "UNUSABLE" }, {}, 422, "ACCOUNT_UNUSABLE"],
    ["blocked by an admin", { ...ready, reviewStatus: "BLOCKED" }, {}, 422, "ACCOUNT_BLOCKED"],
    [
      "pending review, setting off",
      { ...ready, reviewStatus: "PENDING" },
      { allowFundingBeforeReview: false },
      422,
      "ACCOUNT_UNDER_REVIEW",
    ],
    ["still linking", { ...ready, status: "LINKING" }, {}, 422, "ACCOUNT_NOT_ACTIVE"],
    ["no Stripe bank account", { ...ready, stripeBankAccountId: null }, {}, 422, "ACCOUNT_NOT_ACTIVE"],
    ["no Stripe customer", ready, { stripeCustomerId: null }, 422, "ACCOUNT_NOT_ACTIVE"],
    ["bank login required", { ...ready, item: { ...ready.item, status: "LOGIN_REQUIRED" } }, {}, 422, "ACCOUNT_NOT_ACTIVE"],
    ["access revoked at the bank", { ...ready, item: { ...ready.item, status: "REVOKED" } }, {}, 422, "ACCOUNT_NOT_ACTIVE"],
    ["no authorization on file, none accepted", { ...ready, mandate: null }, {}, 400, "MANDATE_REQUIRED"],
    [
      "no authorization on file, an old text accepted",
      { ...ready, mandate: null },
      { mandateTextVersion: "2020-01-v0" },
      400,
      "MANDATE_REQUIRED",
    ],
  ])("refused: %s", async (_label, account, overrides, status, code) => {
    await expectAppError(() => checkAccountMayFund(account, { ...context, ...overrides }), { status, code });
  });

  it.each([
    ["PENDING", true, true],
    ["PENDING", false, false],
    ["APPROVED", false, true],
    ["APPROVED", true, true],
  ] as const)("review %s with fund-before-review %s: allowed %s", (reviewStatus, setting, allowed) => {
    const refusal = accountRefusal({ status: "ACTIVE", reviewStatus, itemStatus: "ACTIVE" }, setting);
    expect(refusal).toBe(allowed ? null : "ACCOUNT_UNDER_REVIEW");
  });
});

describe("the account rule (the same at the first read, under the lock and before sending)", () => {
  it.each([
    ["removed", { status: "REMOVED", reviewStatus: "APPROVED", itemStatus: "REMOVED" }, true, "NOT_FOUND"],
    ["unusable after an ACH return", { status: "UNUSABLE", reviewStatus: "APPROVED", itemStatus: "ACTIVE" }, true, "ACCOUNT_UNUSABLE"],
    ["unusable wins over blocked", { status: "UNUSABLE", reviewStatus: "BLOCKED", itemStatus: "ACTIVE" }, true, "ACCOUNT_UNUSABLE"],
    ["blocked", { status: "ACTIVE", reviewStatus: "BLOCKED", itemStatus: "ACTIVE" }, true, "ACCOUNT_BLOCKED"],
    [
      "blocked wins over under review",
      { status: "LINKING", reviewStatus: "BLOCKED", itemStatus: "LOGIN_REQUIRED" },
      false,
      "ACCOUNT_BLOCKED",
    ],
    [
      "under review with the setting off",
      { status: "ACTIVE", reviewStatus: "PENDING", itemStatus: "ACTIVE" },
      false,
      "ACCOUNT_UNDER_REVIEW",
    ],
    ["still linking", { status: "LINKING", reviewStatus: "APPROVED", itemStatus: "LINKING" }, true, "ACCOUNT_NOT_ACTIVE"],
    ["login required", { status: "ACTIVE", reviewStatus: "APPROVED", itemStatus: "LOGIN_REQUIRED" }, true, "ITEM_NEEDS_ATTENTION"],
    ["access revoked", { status: "ACTIVE", reviewStatus: "APPROVED", itemStatus: "REVOKED" }, true, "ITEM_NEEDS_ATTENTION"],
    ["item removed", { status: "ACTIVE", reviewStatus: "APPROVED", itemStatus: "REMOVED" }, true, "ITEM_NEEDS_ATTENTION"],
    ["usable", { status: "ACTIVE", reviewStatus: "APPROVED", itemStatus: "ACTIVE" }, false, null],
    ["usable while consent ends soon", { status: "ACTIVE", reviewStatus: "PENDING", itemStatus: "PENDING_DISCONNECT" }, true, null],
  ] as const)("%s", (_label, account, setting, expected) => {
    expect(accountRefusal(account, setting)).toBe(expected);
  });

  it("refuses a missing account", () => {
    expect(accountRefusal(null, true)).toBe("NOT_FOUND");
  });
});
