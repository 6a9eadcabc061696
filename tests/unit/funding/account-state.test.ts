import { describe, expect, it } from "vitest";
import { accountState, AWAITING_REVIEW_DETAIL } from "@/components/funding/status";
import type { BankAccountView } from "@/lib/funding/views";

const account = (change: Partial<BankAccountView> = {}): BankAccountView => ({
  id: "ba",
  institutionName: "First Platypus Bank",
  name: "Plaid Checking",
  mask: "0000",
  subtype: "checking",
  status: "ACTIVE",
  itemId: "item",
  itemStatus: "ACTIVE",
  reviewStatus: "APPROVED",
  awaitingReview: false,
  needsMandate: false,
  returned: null,
  ...change,
});

describe("one state per bank account", () => {
  it("an account held for review that may not fund yet awaits review, and says what happens next", () => {
    expect(accountState(account({ reviewStatus: "PENDING", awaitingReview: true }))).toEqual({
      label: "Awaiting review",
      tone: "info",
      detail: AWAITING_REVIEW_DETAIL,
      canReconnect: false,
      canFund: false,
    });
    expect(AWAITING_REVIEW_DETAIL).toContain("You'll be able to add funds once it's approved.");
  });

  it("an account held for review that may fund meanwhile is simply Active", () => {
    expect(accountState(account({ reviewStatus: "PENDING", awaitingReview: false }))).toMatchObject({
      label: "Active",
      detail: null,
      canFund: true,
    });
  });

  it("blocked and a bank login to renew come before the review", () => {
    expect(accountState(account({ reviewStatus: "BLOCKED" })).label).toBe("Blocked");
    expect(accountState(account({ reviewStatus: "PENDING", awaitingReview: true, itemStatus: "LOGIN_REQUIRED" }))).toMatchObject({
      label: "Needs reconnection",
      canReconnect: true,
      canFund: false,
    });
  });
});
