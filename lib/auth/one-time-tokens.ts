import "server-only";
import { createHash, randomBytes } from "node:crypto";
import type { Db, Prisma } from "@/lib/db";
import type { OneTimeTokenPurpose } from "@/lib/generated/prisma/client";

/**
 * Single-use tokens sent by mail: a password reset link now, email
 * verification next. The raw token (32 random bytes, base64url) is returned
 * once by `issueToken`, to be put in the message; the table keeps only its
 * SHA-256 (`token_hash`), so a copy of the database opens no account.
 *
 * - `issueToken(tx, userId, purpose, ttlMs, { subject })` in the caller's
 *   transaction (with the enqueueMail that carries it): deletes the user's
 *   older tokens of that purpose (only the newest link works) and stores the
 *   new one. `subject` binds it to a value, e.g. the address it was mailed
 *   to; `consumeToken` returns it so the caller can check it still holds.
 * - `findToken(db, raw, purpose)`: is it usable now (a page deciding whether
 *   to show its form)? Changes nothing.
 * - `consumeToken(db, raw, purpose)`: uses it, in one UPDATE … WHERE unused
 *   AND unexpired RETURNING, so of two concurrent uses exactly one succeeds.
 *   Null for an unknown, used, expired or other-purpose token (one answer
 *   for all: the caller's message need not say which).
 */

export type { OneTimeTokenPurpose };

type DbClient = Prisma.TransactionClient | Db;

export interface TokenHolder {
  userId: string;
  subject: string | null;
}

/** A raw token: 43 base64url characters (256 bits). Anything else is not looked up. */
const RAW_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function hashToken(raw: string): string {
  return createHash("sha256").update(raw, "utf8").digest("hex");
}

/** Call inside a transaction (`db.$transaction`): the user's row lock keeps two concurrent issues from both staying valid. */
export async function issueToken(
  tx: Prisma.TransactionClient,
  userId: string,
  purpose: OneTimeTokenPurpose,
  ttlMs: number,
  options: { subject?: string; now?: Date } = {},
): Promise<string> {
  if (!(ttlMs > 0)) throw new Error("issueToken: ttlMs must be positive");
  const now = options.now ?? new Date();
  await tx.$queryRaw`SELECT 1 FROM "users" WHERE "id" = ${userId} FOR UPDATE`;
  await tx.oneTimeToken.deleteMany({ where: { userId, purpose } });
  const raw = randomBytes(32).toString("base64url");
  await tx.oneTimeToken.create({
    data: {
      userId,
      purpose,
      tokenHash: hashToken(raw),
      subject: options.subject ?? null,
      expiresAt: new Date(now.getTime() + ttlMs),
      createdAt: now,
    },
  });
  return raw;
}

/** The token's holder when it could be used now (unused, unexpired, this purpose); changes nothing. */
export async function findToken(db: DbClient, raw: string, purpose: OneTimeTokenPurpose, now = new Date()): Promise<TokenHolder | null> {
  if (!RAW_TOKEN.test(raw)) return null;
  return db.oneTimeToken.findFirst({
    where: { tokenHash: hashToken(raw), purpose, usedAt: null, expiresAt: { gt: now } },
    select: { userId: true, subject: true },
  });
}

/** Uses the token, atomically: null when it is unknown, used, expired or for another purpose. */
export async function consumeToken(db: DbClient, raw: string, purpose: OneTimeTokenPurpose, now = new Date()): Promise<TokenHolder | null> {
  if (!RAW_TOKEN.test(raw)) return null;
  const rows = await db.$queryRaw<{ user_id: string; subject: string | null }[]>`
    UPDATE "one_time_tokens" SET "used_at" = ${now}::timestamp(3)
    WHERE "token_hash" = ${hashToken(raw)} AND "purpose" = ${purpose}::"OneTimeTokenPurpose"
      AND "used_at" IS NULL AND "expires_at" > ${now}::timestamp(3)
    RETURNING "user_id", "subject"`;
  const row = rows[0];
  return row ? { userId: row.user_id, subject: row.subject } : null;
}
