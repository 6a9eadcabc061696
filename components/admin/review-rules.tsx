import type { ReviewItemView } from "@/lib/admin/review";
import { formatWhen } from "./format";

/** The automatic review rules at link time: the outcome, then each rule, passed or held, in words. */
export function ReviewRules({ rules }: { rules: ReviewItemView["rules"] }) {
  if (!rules) {
    return <p className="text-sm text-slate-600">The automatic rules did not run for this account: it waits for a person&apos;s review.</p>;
  }
  return (
    <div className="space-y-2 text-sm">
      <p>
        {rules.decision === "approve" ? (
          <strong className="text-green-800">Approved automatically: every rule passed.</strong>
        ) : (
          <strong className="text-amber-800">Held for review by the rules marked &ldquo;held&rdquo;.</strong>
        )}
        {rules.appliedAt ? <span className="ml-2 text-slate-600">{formatWhen(rules.appliedAt)}</span> : null}
      </p>
      <ul aria-label="Review rules" className="space-y-1">
        {rules.checks.map((check) => (
          <li key={check.rule} className="flex gap-2">
            <span className={`w-14 shrink-0 font-semibold ${check.passed ? "text-green-800" : "text-red-700"}`}>
              {check.passed ? "passed" : "held"}
            </span>
            <span>{check.words}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
