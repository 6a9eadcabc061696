import "server-only";
import { z } from "zod";
import { safeText } from "@/lib/safe-text";
import type { Db, Prisma } from "@/lib/db";
import { PAGE_SIZE } from "./types";
import { toAuditView, type AuditEntryView } from "./users";

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use YYYY-MM-DD");

/** Audit log filter (query string): actor (email or user id), action (prefix), target (type and/or id), date range. */
export const auditFilterSchema = z.object({
  actor: z.preprocess(blankToUndefined, safeText().trim().max(320).optional()),
  action: z.preprocess(blankToUndefined, safeText().trim().max(100).optional()),
  targetType: z.preprocess(blankToUndefined, safeText().trim().max(50).optional()),
  targetId: z.preprocess(blankToUndefined, safeText().trim().max(100).optional()),
  from: z.preprocess(blankToUndefined, day.optional()),
  to: z.preprocess(blankToUndefined, day.optional()),
  cursor: z.preprocess(blankToUndefined, safeText().max(200).optional()),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

/** Newest first, keyset-paginated on (created_at, id); uses the audit_logs indexes on actor/action/target + created_at. */
export async function listAuditLog(
  db: Db,
  filter: AuditFilter,
  pageSize = PAGE_SIZE * 2,
): Promise<{ entries: AuditEntryView[]; nextCursor: string | null }> {
  const where: Prisma.AuditLogWhereInput[] = [];
  if (filter.actor) {
    const actor = filter.actor.includes("@")
      ? await db.user.findUnique({ where: { email: filter.actor.toLowerCase() }, select: { id: true } })
      : { id: filter.actor };
    if (!actor) return { entries: [], nextCursor: null };
    where.push({ actorId: actor.id });
  }
  if (filter.action) where.push({ action: { startsWith: filter.action } });
  if (filter.targetType) where.push({ targetType: filter.targetType });
  if (filter.targetId) where.push({ targetId: filter.targetId });
  if (filter.from) where.push({ createdAt: { gte: new Date(`${filter.from}T00:00:00Z`) } });
  if (filter.to) where.push({ createdAt: { lt: new Date(Date.parse(`${filter.to}T00:00:00Z`) + 86_400_000) } });
  if (filter.cursor) {
    const [iso, id] = Buffer.from(filter.cursor, "base64url").toString("utf8").split("|");
    const at = new Date(iso ?? "");
    if (id && !Number.isNaN(at.getTime())) where.push({ OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: id } }] });
  }
  const rows = await db.auditLog.findMany({
    where: { AND: where },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: pageSize + 1,
    include: { actor: { select: { email: true } } },
  });
  const shown = rows.slice(0, pageSize);
  const last = shown[shown.length - 1];
  return {
    entries: shown.map(toAuditView),
    nextCursor: rows.length > pageSize && last ? Buffer.from(`${last.createdAt.toISOString()}|${last.id}`).toString("base64url") : null,
  };
}
