import "server-only";
import { randomUUID } from "node:crypto";
import { ProcessorTokenCreateRequestProcessorEnum, Products, type PlaidApi } from "plaid";
import { z } from "zod";
import type { Db } from "@/lib/db";
import { itemAccessToken, openProcessorToken, sealProcessorToken } from "@/lib/secrets";
import { describePlaidFailure, isTransientPlaidError, plaidErrorOf } from "@/lib/plaid/errors";
import { AppError, notFound, providerCode, upstreamUnavailable } from "@/lib/errors";
import { logger } from "@/lib/log";
import type { AdminActor } from "./types";

export const PROCESSORS = Object.values(ProcessorTokenCreateRequestProcessorEnum) as [string, ...string[]];
export const PRODUCTS = Object.values(Products) as [string, ...string[]];

export const createProcessorTokenSchema = z.object({ processor: z.enum(PROCESSORS, "Choose a processor from the list") });
export const setPermissionsSchema = z.object({ products: z.array(z.enum(PRODUCTS, "Unknown product")).max(PRODUCTS.length) });

export interface ProcessorTokenView {
  id: string;
  bankAccountId: string;
  processor: string;
  /** Truncated: never the whole token. */
  tokenHint: string;
  createdAt: string;
  createdById: string | null;
}

/** "processor-sandbox-0d9f…a1b2": the environment prefix and the last 4 characters. */
export function truncateToken(token: string): string {
  const prefix = token.match(/^processor-[a-z]+-/)?.[0] ?? "";
  return `${prefix}…${token.slice(-4)}`;
}

function plaidFailure(err: unknown, what: string): never {
  const failure = describePlaidFailure(err);
  if (isTransientPlaidError(err)) {
    logger.warn({ code: failure.code }, `${what}: transient Plaid failure`);
    throw upstreamUnavailable("bank");
  }
  const type = plaidErrorOf(err)?.error_type;
  throw new AppError(
    type === "INVALID_REQUEST" || type === "INVALID_INPUT" ? 400 : 502,
    providerCode(failure.code),
    `${what}: ${failure.message}`,
  );
}

export async function listProcessorTokens(db: Db, bankAccountId: string): Promise<ProcessorTokenView[]> {
  const rows = await db.processorToken.findMany({ where: { bankAccountId }, orderBy: { createdAt: "desc" } });
  return rows.map(toView);
}

function toView(r: {
  id: string;
  bankAccountId: string;
  processor: string;
  tokenHint: string;
  createdAt: Date;
  createdById: string | null;
}): ProcessorTokenView {
  return {
    id: r.id,
    bankAccountId: r.bankAccountId,
    processor: r.processor,
    tokenHint: r.tokenHint,
    createdAt: r.createdAt.toISOString(),
    createdById: r.createdById,
  };
}

/** /processor/token/create for a linked account; the token is stored sealed and shown truncated. */
export async function createProcessorToken(
  deps: { db: Db; plaid: PlaidApi },
  actor: AdminActor,
  bankAccountId: string,
  processor: string,
): Promise<ProcessorTokenView> {
  const { db } = deps;
  const account = await db.bankAccount.findFirst({ where: { id: bankAccountId, status: { not: "REMOVED" } }, include: { item: true } });
  if (!account) throw notFound("Bank account");
  if (account.item.status === "REMOVED") throw new AppError(409, "ITEM_REMOVED", "This bank connection was removed.");
  let token: string;
  try {
    const { data } = await deps.plaid.processorTokenCreate({
      access_token: itemAccessToken(account.item),
      account_id: account.plaidAccountId,
      processor: processor as ProcessorTokenCreateRequestProcessorEnum,
    });
    token = data.processor_token;
  } catch (err) {
    plaidFailure(err, "Plaid refused the processor token");
  }
  const id = randomUUID();
  const [row] = await db.$transaction([
    db.processorToken.create({
      data: {
        id,
        bankAccountId: account.id,
        processor,
        tokenCiphertext: sealProcessorToken(id, token),
        tokenHint: truncateToken(token),
        createdById: actor.id,
      },
    }),
    db.auditLog.create({
      data: {
        actorId: actor.id,
        action: "admin.processor_token.created",
        targetType: "bank_account",
        targetId: account.id,
        metadata: { processorTokenId: id, processor },
        ip: actor.ip ?? null,
      },
    }),
  ]);
  return toView(row);
}

async function openToken(db: Db, processorTokenId: string): Promise<{ token: string; row: { id: string; bankAccountId: string } }> {
  const row = await db.processorToken.findUnique({ where: { id: processorTokenId } });
  if (!row) throw notFound("Processor token");
  return { token: openProcessorToken(row), row };
}

export async function getProcessorTokenPermissions(
  deps: { db: Db; plaid: PlaidApi },
  processorTokenId: string,
): Promise<{ products: string[] }> {
  const { token } = await openToken(deps.db, processorTokenId);
  try {
    const { data } = await deps.plaid.processorTokenPermissionsGet({ processor_token: token });
    return { products: data.products };
  } catch (err) {
    plaidFailure(err, "Plaid could not read the permissions");
  }
}

/** /processor/token/permissions/set (an empty list = every product the processor is allowed by default). */
export async function setProcessorTokenPermissions(
  deps: { db: Db; plaid: PlaidApi },
  actor: AdminActor,
  processorTokenId: string,
  products: string[],
): Promise<{ products: string[] }> {
  const { token, row } = await openToken(deps.db, processorTokenId);
  try {
    await deps.plaid.processorTokenPermissionsSet({ processor_token: token, products: products as Products[] });
  } catch (err) {
    plaidFailure(err, "Plaid could not set the permissions");
  }
  await deps.db.auditLog.create({
    data: {
      actorId: actor.id,
      action: "admin.processor_token.permissions_set",
      targetType: "bank_account",
      targetId: row.bankAccountId,
      metadata: { processorTokenId: row.id, products },
      ip: actor.ip ?? null,
    },
  });
  return getProcessorTokenPermissions(deps, processorTokenId);
}
