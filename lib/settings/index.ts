import "server-only";
import type { Db } from "@/lib/db";
import { recordAudit } from "@/lib/audit";

/** Admin-editable settings, stored in app_settings (key → JSON value). */
export const SETTINGS = {
  /** Whether an account the review rules held may fund before an admin decides. Default: yes (README, "Admin console", says why). */
  allowFundingBeforeReview: { key: "funding.allowBeforeReview", default: true },
} as const;

export interface AdminSettings {
  allowFundingBeforeReview: boolean;
}

export async function getSettings(db: Pick<Db, "appSetting">): Promise<AdminSettings> {
  const rows = await db.appSetting.findMany({ where: { key: { in: [SETTINGS.allowFundingBeforeReview.key] } } });
  return {
    allowFundingBeforeReview: allowFundingBeforeReviewFrom(rows.find((r) => r.key === SETTINGS.allowFundingBeforeReview.key)?.value),
  };
}

/** The "fund before review" setting from its stored JSON value (the default when unset or malformed). */
export function allowFundingBeforeReviewFrom(value: unknown): boolean {
  return typeof value === "boolean" ? value : SETTINGS.allowFundingBeforeReview.default;
}

export async function updateSettings(
  db: Db,
  actor: { id: string; ip?: string | null },
  changes: Partial<AdminSettings>,
): Promise<AdminSettings> {
  const before = await getSettings(db);
  if (changes.allowFundingBeforeReview !== undefined) {
    const key = SETTINGS.allowFundingBeforeReview.key;
    const value = changes.allowFundingBeforeReview;
    await db.$transaction([
      db.appSetting.upsert({
        where: { key },
        create: { key, value, updatedById: actor.id },
        update: { value, updatedById: actor.id, updatedAt: new Date() },
      }),
    ]);
    await recordAudit(db, {
      actorId: actor.id,
      action: "admin.settings.updated",
      targetType: "app_setting",
      targetId: key,
      metadata: { from: before.allowFundingBeforeReview, to: value },
      ip: actor.ip ?? null,
    });
  }
  return getSettings(db);
}
