import { describe, expect, it } from "vitest";
import { bankLabel, formatUsd } from "@/lib/format";

describe("formatUsd", () => {
  it.each([
    [0, "$0.00"],
    [1, "$0.01"],
    [99, "$0.99"],
    [100, "$1.00"],
    [2_550, "$25.50"],
    [123_456, "$1,234.56"],
    [500_000, "$5,000.00"],
    [99_999_999_999, "$999,999,999.99"],
    [-2_500, "-$25.00"],
  ])("%d cents → %s", (cents, text) => {
    expect(formatUsd(cents)).toBe(text);
  });
});

describe("bankLabel", () => {
  const platypus = { institutionName: "First Platypus Bank", mask: "0000" };

  it.each([
    // Payment history and admin tables (e2e: "First Platypus Bank ····0000").
    [platypus, undefined, "First Platypus Bank ····0000"],
    // Where a person picks between their own accounts (e2e: "Linked First Platypus Bank Plaid Checking ····0000.").
    [platypus, "Plaid Checking", "First Platypus Bank Plaid Checking ····0000"],
    [{ institutionName: null, mask: "4321" }, undefined, "Bank ····4321"],
    [{ institutionName: null, mask: "4321" }, "Savings", "Bank Savings ····4321"],
    // No mask: nothing to show after the dots, so no dots.
    [{ institutionName: "First Platypus Bank", mask: null }, undefined, "First Platypus Bank"],
    [{ institutionName: "First Platypus Bank", mask: "" }, undefined, "First Platypus Bank"],
    [{ institutionName: "First Platypus Bank", mask: null }, "Plaid Checking", "First Platypus Bank Plaid Checking"],
    [{ institutionName: null, mask: null }, undefined, "Bank"],
  ])("%o with name %s → %s", (account, name, text) => {
    expect(bankLabel(account, name)).toBe(text);
  });

  it("leaves the name out unless it is passed, even when the account has one", () => {
    const account: { institutionName: string | null; mask: string | null; name: string } = { ...platypus, name: "Plaid Checking" };
    expect(bankLabel(account)).toBe("First Platypus Bank ····0000");
  });
});
