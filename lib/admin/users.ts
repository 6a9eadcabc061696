import "server-only";
import { lockFundingUser } from "@/lib/funding/funding-lock";
import type { Db, Prisma } from "@/lib/db";
import { containsText } from "@/lib/db/like";
import { AppError, notFound } from "@/lib/errors";
import { bankLabel } from "@/lib/format";
import { PAGE_SIZE, type AdminActor } from "./types";

export interface UserRowView {
  id: string;
  email: string;
  name: string | null;
  role: string;
  disabled: boolean;
  createdAt: string;
}

/** Users by email/name (case-insensitive substring, % and _ taken literally), newest first, offset-paginated on users(created_at). */
export async function searchUsers(
  db: Db,
  options: { q?: string; page?: number } = {},
): Promise<{ users: UserRowView[]; total: number; page: number; pageSize: number }> {
  const page = Math.max(1, options.page ?? 1);
  const q = options.q?.trim();
  const where: Prisma.UserWhereInput = q
    ? { OR: [{ email: containsText(q.toLowerCase()) }, { name: { ...containsText(q), mode: "insensitive" } }] }
    : {};
  const [rows, total] = await Promise.all([
    db.user.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (page - 1) * PAGE_SIZE,
      take: PAGE_SIZE,
      select: { id: true, email: true, name: true, role: true, disabled: true, createdAt: true },
    }),
    db.user.count({ where }),
  ]);
  return { users: rows.map((u) => ({ ...u, createdAt: u.createdAt.toISOString() })), total, page, pageSize: PAGE_SIZE };
}

export interface UserDetailView {
  user: UserRowView & { sessionVersion: number; hasStripeCustomer: boolean };
  items: { id: string; institutionName: string | null; status: string; errorCode: string | null; createdAt: string }[];
  accounts: {
    id: string;
    itemId: string;
    label: string;
    name: string;
    mask: string | null;
    subtype: string | null;
    status: string;
    reviewStatus: string;
    createdAt: string;
  }[];
  payments: { id: string; amountCents: number; status: string; bankLabel: string; failureCode: string | null; createdAt: string }[];
  audit: AuditEntryView[];
}

export interface AuditEntryView {
  id: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  metadata: unknown;
  ip: string | null;
  createdAt: string;
}

/** A user's items and accounts (mask only), latest payments and audit trail (as actor or target). */
export async function getUserDetail(db: Db, userId: string): Promise<UserDetailView> {
  const user = await db.user.findUnique({ where: { id: userId } });
  if (!user) throw notFound("User");
  const [items, accounts, payments] = await Promise.all([
    db.plaidItem.findMany({
      where: { userId },
      orderBy: { createdAt: "desc" },
      select: { id: true, institutionName: true, status: true, errorCode: true, createdAt: true },
    }),
    db.bankAccount.findMany({
      where: { userId },
      orderBy: { createdAt: "desc" },
      select: {
        id: true,
        itemId: true,
        institutionName: true,
        name: true,
        mask: true,
        subtype: true,
        status: true,
        reviewStatus: true,
        createdAt: true,
      },
    }),
    db.payment.findMany({
      where: { userId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: 50,
      include: { bankAccount: { select: { institutionName: true, mask: true } } },
    }),
  ]);
  const targetIds = [userId, ...items.map((i) => i.id), ...accounts.map((a) => a.id)];
  const audit = await db.auditLog.findMany({
    where: { OR: [{ actorId: userId }, { targetId: { in: targetIds } }] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 50,
    include: { actor: { select: { email: true } } },
  });
  return {
    user: {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      disabled: user.disabled,
      createdAt: user.createdAt.toISOString(),
      sessionVersion: user.sessionVersion,
      hasStripeCustomer: Boolean(user.stripeCustomerId),
    },
    items: items.map((i) => ({ ...i, createdAt: i.createdAt.toISOString() })),
    accounts: accounts.map((a) => ({ ...a, label: bankLabel(a), createdAt: a.createdAt.toISOString() })),
    payments: payments.map((p) => ({
      id: p.id,
      amountCents: p.amountCents,
      status: p.status,
      bankLabel: bankLabel(p.bankAccount),
      failureCode: p.failureCode,
      createdAt: p.createdAt.toISOString(),
    })),
    audit: audit.map(toAuditView),
  };
}

export function toAuditView(a: {
  id: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  metadata: unknown;
  ip: string | null;
  createdAt: Date;
  actor?: { email: string } | null;
}): AuditEntryView {
  return {
    id: a.id,
    actorId: a.actorId,
    actorEmail: a.actor?.email ?? null,
    action: a.action,
    targetType: a.targetType,
    targetId: a.targetId,
    metadata: a.metadata,
    ip: a.ip,
    createdAt: a.createdAt.toISOString(),
  };
}

/**
 * Disables (or re-enables) a user. Disabling bumps sessionVersion, so every
 * session of the user ends at once (getCurrentUser compares it per request).
 */
export async function setUserDisabled(db: Db, actor: AdminActor, userId: string, disabled: boolean): Promise<UserRowView> {
  if (userId === actor.id && disabled) throw new AppError(400, "CANNOT_DISABLE_SELF", "You cannot disable your own account.");
  const user = await db.user.findUnique({ where: { id: userId }, select: { id: true, disabled: true } });
  if (!user) throw notFound("User");
  const updated = await db.$transaction(async (tx) => {
    // Ordered with funding writes (lib/funding/funding-lock.ts): a disable committed first stops them.
    await lockFundingUser(tx, userId);
    const row = await tx.user.update({
      where: { id: userId },
      data: disabled ? { disabled: true, sessionVersion: { increment: 1 } } : { disabled: false },
      select: { id: true, email: true, name: true, role: true, disabled: true, createdAt: true },
    });
    await tx.auditLog.create({
      data: {
        actorId: actor.id,
        action: disabled ? "admin.user.disabled" : "admin.user.enabled",
        targetType: "user",
        targetId: userId,
        metadata: { wasDisabled: user.disabled },
        ip: actor.ip ?? null,
      },
    });
    return row;
  });
  return { ...updated, createdAt: updated.createdAt.toISOString() };
}
