import "server-only";
import type { Db, Prisma } from "@/lib/db";
import { startsWithText } from "@/lib/db/like";
import { dayEnd, dayStart, encodeCursor, type AuditFilter } from "./schemas";
import { PAGE_SIZE } from "./types";
import { toAuditView, type AuditEntryView } from "./users";

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
  if (filter.action) where.push({ action: startsWithText(filter.action) });
  if (filter.targetType) where.push({ targetType: filter.targetType });
  if (filter.targetId) where.push({ targetId: filter.targetId });
  if (filter.from) where.push({ createdAt: { gte: dayStart(filter.from) } });
  if (filter.to) where.push({ createdAt: { lt: dayEnd(filter.to) } });
  if (filter.cursor) {
    const { createdAt, id } = filter.cursor;
    where.push({ OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: id } }] });
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
    nextCursor: rows.length > pageSize && last ? encodeCursor(last) : null,
  };
}
