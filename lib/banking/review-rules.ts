/**
 * The automatic review rules: a newly linked account is approved without an
 * admin when every signal gathered at link time is clean, and held for
 * review (PENDING) otherwise. Pure: the signals come from
 * lib/banking/review-signals.ts and lib/banking/auto-review.ts, which also
 * applies the outcome (under the funding lock) and audits it.
 */

/** Each rule, in the order it is checked; `signals` holds when there was nothing to check. */
export const REVIEW_RULES = ["signals", "identity", "duplicates", "returns", "blocks", "institution"] as const;
export type ReviewRule = (typeof REVIEW_RULES)[number];

export interface ReviewRuleSignals {
  /** MATCH | PARTIAL | NO_MATCH | UNAVAILABLE (lib/banking/identity-match.ts). */
  identityVerdict: string;
  /** Other users with the same Stripe fingerprint or institution+mask. */
  duplicateUserCount: number;
  /** FAILED payments (a return, failure_code set) from an account with the same fingerprint, or this user's same institution+mask. */
  earlierReturns: number;
  /** Block records matching the account (lib/banking/blocks.ts), lifted or not. */
  earlierBlocks: number;
  /** No earlier account of anyone at this institution. */
  firstSeenInstitution: boolean;
}

export interface ReviewRuleOutcome {
  decision: "approve" | "hold";
  /** The rules that held the account, in rule order; empty when approved. */
  reasons: ReviewRule[];
}

const PASSES: Record<Exclude<ReviewRule, "signals">, (s: ReviewRuleSignals) => boolean> = {
  identity: (s) => s.identityVerdict === "MATCH",
  duplicates: (s) => s.duplicateUserCount === 0,
  returns: (s) => s.earlierReturns === 0,
  blocks: (s) => s.earlierBlocks === 0,
  institution: (s) => !s.firstSeenInstitution,
};

/** Approve only when every rule passes; null signals (none could be gathered) hold. */
export function evaluateReviewRules(signals: ReviewRuleSignals | null): ReviewRuleOutcome {
  if (!signals) return { decision: "hold", reasons: ["signals"] };
  const reasons = REVIEW_RULES.filter((rule): rule is Exclude<ReviewRule, "signals"> => rule !== "signals" && !PASSES[rule](signals));
  return { decision: reasons.length === 0 ? "approve" : "hold", reasons };
}

/** Each rule in words: what it says when it passed, and when it held. */
const WORDS: Record<ReviewRule, { passed: string; held: string }> = {
  signals: { passed: "The review signals were gathered", held: "The review signals could not be gathered" },
  identity: { passed: "The bank's account owner matches the user", held: "The bank's account owner does not clearly match the user" },
  duplicates: { passed: "No other user has linked this account", held: "Another user has linked the same account" },
  returns: { passed: "No earlier ACH returns from this account", held: "An earlier debit from this account was returned" },
  blocks: { passed: "This account was never blocked", held: "This account was blocked before (lifted or not)" },
  institution: { passed: "Accounts at this bank were linked before", held: "First account linked at this bank" },
};

export interface RuleCheck {
  rule: ReviewRule;
  passed: boolean;
  words: string;
}

/** Every rule checked, with whether it passed, from the stored reasons (for the admin). */
export function ruleChecks(reasons: readonly string[]): RuleCheck[] {
  if (reasons.includes("signals")) return [{ rule: "signals", passed: false, words: WORDS.signals.held }];
  return REVIEW_RULES.filter((r) => r !== "signals").map((rule) => {
    const passed = !reasons.includes(rule);
    return { rule, passed, words: passed ? WORDS[rule].passed : WORDS[rule].held };
  });
}

/** Stored reasons (a JSON column) as known rules; anything else is dropped. */
export function reviewRulesOf(value: unknown): ReviewRule[] {
  return Array.isArray(value) ? REVIEW_RULES.filter((r) => value.includes(r)) : [];
}
