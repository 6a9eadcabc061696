import { describe, expect, it } from "vitest";
import { evaluateReviewRules, REVIEW_RULES, ruleChecks, type ReviewRuleSignals } from "@/lib/banking/review-rules";

const clean: ReviewRuleSignals = {
  identityVerdict: "MATCH",
  duplicateUserCount: 0,
  earlierReturns: 0,
  earlierBlocks: 0,
  firstSeenInstitution: false,
};

describe("automatic review rules", () => {
  it("approves an account whose every signal is clean", () => {
    expect(evaluateReviewRules(clean)).toEqual({ decision: "approve", reasons: [] });
  });

  it.each<[string, Partial<ReviewRuleSignals>, string[]]>([
    ["identity only partly matches", { identityVerdict: "PARTIAL" }, ["identity"]],
    ["identity does not match", { identityVerdict: "NO_MATCH" }, ["identity"]],
    ["identity could not be read", { identityVerdict: "UNAVAILABLE" }, ["identity"]],
    ["an unknown verdict", { identityVerdict: "match" }, ["identity"]],
    ["another user shares the account", { duplicateUserCount: 1 }, ["duplicates"]],
    ["an earlier ACH return", { earlierReturns: 1 }, ["returns"]],
    ["an earlier block, lifted or not", { earlierBlocks: 1 }, ["blocks"]],
    ["a first-seen institution", { firstSeenInstitution: true }, ["institution"]],
    [
      "everything at once, in rule order",
      { identityVerdict: "NO_MATCH", duplicateUserCount: 3, earlierReturns: 2, earlierBlocks: 1, firstSeenInstitution: true },
      ["identity", "duplicates", "returns", "blocks", "institution"],
    ],
  ])("holds when %s", (_, change, reasons) => {
    expect(evaluateReviewRules({ ...clean, ...change })).toEqual({ decision: "hold", reasons });
  });

  it("holds when no signals could be gathered", () => {
    expect(evaluateReviewRules(null)).toEqual({ decision: "hold", reasons: ["signals"] });
  });

  it("lists every rule with whether it passed, in words", () => {
    const checks = ruleChecks(["duplicates", "institution"]);
    expect(checks.map((c) => c.rule)).toEqual(REVIEW_RULES.filter((r) => r !== "signals"));
    expect(checks.filter((c) => !c.passed).map((c) => c.rule)).toEqual(["duplicates", "institution"]);
    expect(checks.find((c) => c.rule === "identity")).toMatchObject({ passed: true, words: "The bank's account owner matches the user" });
    expect(checks.find((c) => c.rule === "institution")).toMatchObject({ passed: false, words: "First account linked at this bank" });
    expect(ruleChecks(["signals"])).toEqual([{ rule: "signals", passed: false, words: "The review signals could not be gathered" }]);
  });
});
