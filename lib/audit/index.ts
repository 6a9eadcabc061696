import "server-only";
import type { Db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";

export interface AuditEntry {
  actorId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  metadata?: Prisma.InputJsonObject;
  ip?: string | null;
}

/**
 * Appends to the audit log. Callers pass the transaction client when the
 * action and its audit entry must commit together.
 */
export async function recordAudit(db: Pick<Db, "auditLog">, entry: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      metadata: entry.metadata ?? {},
      ip: entry.ip ?? null,
    },
  });
}

/**
 * The audit log's INSERT column list, for the few SQL statements that write
 * their own audit entry in the same statement as the change (the ledger).
 * The SQL function fund_write_payment has its own (a migration cannot import it).
 */
export const AUDIT_INSERT = Prisma.sql`INSERT INTO "audit_logs" ("id", "actor_id", "action", "target_type", "target_id", "metadata", "created_at")`;
