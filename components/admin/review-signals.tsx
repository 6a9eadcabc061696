import type { ReviewItemView } from "@/lib/admin/review";
import { StatusBadge } from "./status-badge";

/** The review signals of one linked account, as a definition list. */
export function ReviewSignals({ item, compact = false }: { item: ReviewItemView; compact?: boolean }) {
  const s = item.signals;
  if (!s) return <p className="text-sm text-slate-500">No signals recorded.</p>;
  const duplicate = s.duplicateUserCount > 0 || s.fingerprintShared;
  return (
    <dl className={`grid gap-x-3 gap-y-1 text-sm ${compact ? "grid-cols-[auto_1fr]" : "grid-cols-[12rem_1fr]"}`}>
      <dt className="text-slate-500">Identity</dt>
      <dd>
        <StatusBadge status={s.identityVerdict} />
        {!compact && s.ownerNames.length ? <span className="ml-2 text-slate-700">Owners: {s.ownerNames.join(", ")}</span> : null}
        {s.identityError ? <span className="ml-2 text-xs text-slate-500">({s.identityError})</span> : null}
      </dd>
      {!compact ? (
        <>
          <dt className="text-slate-500">Name / email match</dt>
          <dd>
            {s.nameMatched ? "name matches" : "name differs"}, {s.emailMatched ? "email matches" : "email differs"}
          </dd>
        </>
      ) : null}
      <dt className="text-slate-500">Institution</dt>
      <dd>{s.firstSeenInstitution ? <strong className="text-amber-800">first seen</strong> : "seen before"}</dd>
      <dt className="text-slate-500">Duplicates</dt>
      <dd>
        {duplicate ? (
          <strong className="text-red-700">
            {s.duplicateUserCount} other user{s.duplicateUserCount === 1 ? "" : "s"}
            {s.fingerprintShared ? " (same bank fingerprint)" : " (same bank and mask)"}
          </strong>
        ) : s.duplicateUserCountAtLink > 0 ? (
          <span>none now ({s.duplicateUserCountAtLink} when linked)</span>
        ) : (
          "none"
        )}
      </dd>
      {compact && item.rules ? (
        <>
          <dt className="text-slate-500">Rules</dt>
          <dd>
            {item.rules.decision === "approve"
              ? "approved automatically"
              : `held: ${item.rules.checks
                  .filter((c) => !c.passed)
                  .map((c) => c.words)
                  .join("; ")}`}
          </dd>
        </>
      ) : null}
      <dt className="text-slate-500">Failures (30 days)</dt>
      <dd className={item.recentFailures.account + item.recentFailures.user > 0 ? "font-semibold text-red-700" : ""}>
        {item.recentFailures.account} on account, {item.recentFailures.user} for user
      </dd>
    </dl>
  );
}
