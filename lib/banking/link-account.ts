import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { CountryCode, type PlaidApi } from "plaid";
import Stripe from "stripe";
import { z } from "zod";
import { safeText } from "@/lib/safe-text";
import type { Db, Prisma, User } from "@/lib/db";
import type { LinkAttempt, PlaidItem } from "@/lib/generated/prisma/client";
import { recordAudit } from "@/lib/audit";
import { itemAccessToken, sealItemAccessToken } from "@/lib/secrets";
import { describePlaidFailure, isTransientPlaidError, plaidErrorOf } from "@/lib/plaid/errors";
import { isTransientStripeError, stripeErrorCode } from "@/lib/stripe/errors";
import { listBankAccounts } from "@/lib/funding/dashboard";
import type { BankAccountView } from "@/lib/funding/views";
import { AppError, upstreamUnavailable, providerCode } from "@/lib/errors";
import { moveItemStatus } from "@/lib/plaid/item-state";
import { lockFundingUser } from "@/lib/funding/funding-lock";
import { findActiveBlock } from "./blocks";
import { ensureStripeCustomer } from "./stripe-customer";
import { recordReviewSignals } from "@/lib/banking/review-signals";
import { applyReviewRules } from "./auto-review";
import { requireVerifiedEmail } from "@/lib/auth/email-verification";

export const linkAccountSchema = z.object({
  publicToken: safeText().trim().min(1, "publicToken is required").max(200),
  accountId: safeText().trim().min(1, "accountId is required").max(200),
  // No institution: Link's metadata.institution is the browser's word. The
  // institution is read from Plaid (the INSTITUTION step); a body that still
  // names one is accepted and the field dropped (zod strips unknown keys).
  linkSessionId: safeText().max(200).nullable().optional(),
  /** metadata.accounts.length from Link's onSuccess: Account Select must yield exactly one. */
  accountCount: z.number().int().min(0).max(100),
});
export type LinkAccountInput = z.infer<typeof linkAccountSchema>;

const ELIGIBLE_SUBTYPES = new Set(["checking", "savings"]);

interface Deps {
  db: Db;
  plaid: PlaidApi;
  stripe: Stripe;
}

type Tx = Prisma.TransactionClient;

/**
 * The steps of a link, as LinkAttempt.step stores them (a String column: the
 * stored values are these strings). `step` is the last one that completed.
 */
export const LinkStep = {
  /** The attempt exists (the column's default). */
  STARTED: "started",
  /** The public token was exchanged; the item is stored with its access token sealed. */
  EXCHANGED: "exchanged",
  /** The item's institution was read from Plaid (/item/get, /institutions/get_by_id) and stored on the item and the attempt. */
  INSTITUTION: "institution",
  /** The chosen account was checked at Plaid; its bank account row exists. */
  VERIFIED: "verified",
  /** The user's Stripe customer exists. */
  CUSTOMER: "customer",
  /** Attached at Stripe; bank account and item active. */
  COMPLETED: "completed",
} as const;
export type LinkStep = (typeof LinkStep)[keyof typeof LinkStep];

const LINK_STEPS = new Set<string>(Object.values(LinkStep));
function linkStepOf(stored: string): LinkStep {
  if (!LINK_STEPS.has(stored)) throw new Error(`unknown LinkAttempt.step ${JSON.stringify(stored)}`);
  return stored as LinkStep;
}

/** One run of linkBankAccount over its attempt. */
interface LinkRun {
  deps: Deps;
  user: Pick<User, "id" | "email" | "name">;
  input: LinkAccountInput;
  attempt: LinkAttempt;
  /** The last step that completed, as stored. */
  step: LinkStep;
}

/**
 * Turns Link's result into a funding source: exchange the public token, check
 * the chosen account, mint a Stripe bank account token through Plaid, attach
 * it to the user's (single) Stripe customer, and store everything with the
 * access token sealed. Every step is recorded on a LinkAttempt keyed by the
 * public token, so a retry of the same link resumes where it stopped and never
 * creates a second item, customer or bank account; a permanent failure
 * removes the Plaid item so nothing is left orphaned. Only for a verified
 * email address (403 EMAIL_NOT_VERIFIED, before anything is stored).
 */
export async function linkBankAccount(
  deps: Deps,
  user: Pick<User, "id" | "email" | "name" | "emailVerified">,
  input: LinkAccountInput,
): Promise<BankAccountView> {
  const { db } = deps;
  requireVerifiedEmail(user, "link a bank");
  if (input.accountCount !== 1) {
    throw new AppError(400, "SINGLE_ACCOUNT_REQUIRED", "Please choose exactly one account to fund from.");
  }
  const publicTokenHash = createHash("sha256").update(input.publicToken).digest("hex");
  const attempt = await db.linkAttempt.upsert({
    where: { publicTokenHash },
    create: {
      userId: user.id,
      publicTokenHash,
      plaidAccountId: input.accountId,
      linkSessionId: input.linkSessionId ?? null,
    },
    update: {},
  });
  if (attempt.userId !== user.id || attempt.plaidAccountId !== input.accountId) {
    throw new AppError(400, "INVALID_PUBLIC_TOKEN", "This bank link is not valid. Please link your bank again.");
  }
  if (attempt.status === "COMPLETED" && attempt.bankAccountId) return viewOf(db, user.id, attempt.bankAccountId);
  if (attempt.status === "FAILED") {
    throw new AppError(
      400,
      attempt.errorCode ? providerCode(attempt.errorCode) : "LINK_FAILED",
      attempt.errorMessage ?? "This bank link failed. Please link your bank again.",
    );
  }

  const run: LinkRun = { deps, user, input, attempt, step: linkStepOf(attempt.step) };
  const item = await readInstitution(run, await exchange(run));
  const bankAccountId = await verifyAccount(run, item);
  const attached = await attachAtStripe(run, item, bankAccountId);
  await complete(run, item, bankAccountId, attached);

  await recordReviewSignals(deps, bankAccountId); // admin review queue (lib/admin); never throws
  await applyReviewRules(db, bankAccountId); // approve or hold on those signals (lib/banking/review-rules.ts); never throws
  await recordAudit(db, {
    actorId: user.id,
    action: "bank_account.linked",
    targetType: "bank_account",
    targetId: bankAccountId,
    metadata: { institutionId: item.institutionId, linkSessionId: attempt.linkSessionId },
  });
  return viewOf(db, user.id, bankAccountId);
}

/** Records a completed step on the attempt (with what the step produced), in the caller's transaction when given one. */
async function recordStep(run: LinkRun, db: Db | Tx, step: LinkStep, data: Prisma.LinkAttemptUpdateInput = {}): Promise<void> {
  await db.linkAttempt.update({ where: { id: run.attempt.id }, data: { ...data, step } });
  run.step = step;
}

/** A permanent failure: the attempt fails (the same public token answers the same error) and the item is removed at Plaid. */
async function fail(run: LinkRun, error: AppError, cleanup: { itemId: string | null }): Promise<never> {
  const { db } = run.deps;
  await db.linkAttempt.update({
    where: { id: run.attempt.id },
    data: { status: "FAILED", errorCode: error.code, errorMessage: error.message },
  });
  if (cleanup.itemId) await removeItemQuietly(run.deps, cleanup.itemId, run.user.id);
  await recordAudit(db, {
    actorId: run.user.id,
    action: "bank_account.link_failed",
    targetType: "link_attempt",
    targetId: run.attempt.id,
    metadata: { code: error.code, step: run.step },
  });
  throw error;
}

/** A transient failure: the attempt stays open; the same public token resumes it. */
async function pause(run: LinkRun, code: string, message: string, who: "bank" | "payment processor"): Promise<never> {
  await run.deps.db.linkAttempt.update({ where: { id: run.attempt.id }, data: { errorCode: code, errorMessage: message } });
  throw upstreamUnavailable(who);
}

/** 1. Exchange the public token (once: public tokens are single-use); the access token is stored sealed at once. */
async function exchange(run: LinkRun): Promise<PlaidItem> {
  const { db, plaid } = run.deps;
  if (run.attempt.itemId) return db.plaidItem.findUniqueOrThrow({ where: { id: run.attempt.itemId } });
  let exchanged: { access_token: string; item_id: string };
  try {
    exchanged = (await plaid.itemPublicTokenExchange({ public_token: run.input.publicToken })).data;
  } catch (err) {
    const failure = describePlaidFailure(err);
    if (isTransientPlaidError(err)) return pause(run, failure.code, failure.message, "bank");
    return fail(
      run,
      new AppError(
        400,
        providerCode(failure.code),
        failure.displayMessage ?? "This bank link expired or was already used. Please link your bank again.",
      ),
      { itemId: null },
    );
  }
  const itemRowId = randomUUID();
  return db.$transaction(async (tx: Tx) => {
    const item = await tx.plaidItem.create({
      data: {
        id: itemRowId,
        userId: run.user.id,
        plaidItemId: exchanged.item_id,
        accessTokenCiphertext: sealItemAccessToken(itemRowId, exchanged.access_token),
      },
    });
    await recordStep(run, tx, LinkStep.EXCHANGED, { itemId: itemRowId });
    return item;
  });
}

/**
 * 2. The item's institution, as Plaid has it: /item/get names its
 * institution_id, /institutions/get_by_id its name. Stored on the item and
 * the attempt; the bank account, the duplicate and block checks, the review
 * signals, the mandate text and the admin's views all take it from there.
 * An item without an institution (Plaid allows it) keeps nulls.
 */
async function readInstitution(run: LinkRun, item: PlaidItem): Promise<PlaidItem> {
  const { db, plaid } = run.deps;
  if (run.step !== LinkStep.EXCHANGED) return item; // read on an earlier run (or the attempt is past it)
  let institution: { id: string; name: string } | null = null;
  try {
    const { data } = await plaid.itemGet({ access_token: itemAccessToken(item) });
    const institutionId = data.item.institution_id ?? null;
    if (institutionId) {
      const { data: found } = await plaid.institutionsGetById({ institution_id: institutionId, country_codes: [CountryCode.Us] });
      institution = { id: found.institution.institution_id, name: found.institution.name };
    }
  } catch (err) {
    const failure = describePlaidFailure(err);
    if (isTransientPlaidError(err)) return pause(run, failure.code, failure.message, "bank");
    return fail(
      run,
      new AppError(
        400,
        providerCode(failure.code),
        failure.displayMessage ?? "Your bank could not be identified. Please link your bank again.",
      ),
      { itemId: item.id },
    );
  }
  const facts = { institutionId: institution?.id ?? null, institutionName: institution?.name ?? null };
  return db.$transaction(async (tx: Tx) => {
    const updated = await tx.plaidItem.update({ where: { id: item.id }, data: facts });
    await recordStep(run, tx, LinkStep.INSTITUTION, facts);
    return updated;
  });
}

/** 3. Verify the chosen account belongs to this item and can be debited; its bank account row is created. */
async function verifyAccount(run: LinkRun, item: PlaidItem): Promise<string> {
  const { db, plaid } = run.deps;
  const { user, input } = run;
  if (run.attempt.bankAccountId) return run.attempt.bankAccountId;
  let account;
  try {
    const { data } = await plaid.accountsGet({ access_token: itemAccessToken(item), options: { account_ids: [input.accountId] } });
    account = data.accounts.find((a) => a.account_id === input.accountId);
  } catch (err) {
    const failure = describePlaidFailure(err);
    if (isTransientPlaidError(err)) return pause(run, failure.code, failure.message, "bank");
    return fail(
      run,
      new AppError(400, providerCode(failure.code), failure.displayMessage ?? "The chosen account could not be found at your bank."),
      { itemId: item.id },
    );
  }
  if (!account)
    return fail(run, new AppError(400, "INVALID_ACCOUNT_ID", "The chosen account could not be found at your bank."), { itemId: item.id });
  if (account.type !== "depository" || !ELIGIBLE_SUBTYPES.has(account.subtype ?? "")) {
    return fail(run, new AppError(400, "ACCOUNT_NOT_ELIGIBLE", "Only checking and savings accounts can fund your balance."), {
      itemId: item.id,
    });
  }
  const duplicate = await db.bankAccount.findFirst({
    where: { userId: user.id, status: { not: "REMOVED" }, institutionId: item.institutionId, mask: account.mask, itemId: { not: item.id } },
    select: { id: true },
  });
  if (duplicate) {
    return fail(
      run,
      new AppError(
        409,
        "DUPLICATE_ACCOUNT",
        `You have already linked ${item.institutionName ?? "this bank"} ····${account.mask ?? ""}. Remove it first to link it again.`,
      ),
      { itemId: item.id },
    );
  }
  const row = await db.bankAccount.upsert({
    where: { itemId_plaidAccountId: { itemId: item.id, plaidAccountId: account.account_id } },
    create: {
      userId: user.id,
      itemId: item.id,
      plaidAccountId: account.account_id,
      name: account.name,
      mask: account.mask,
      type: account.type,
      subtype: account.subtype,
      institutionId: item.institutionId,
      institutionName: item.institutionName,
    },
    update: {},
  });
  await recordStep(run, db, LinkStep.VERIFIED, { bankAccountId: row.id });
  return row.id;
}

/** A bank account attached at Stripe: its id, and Stripe's fingerprint of its numbers when the answer carried it. */
interface AttachedBankAccount {
  id: string;
  fingerprint: string | null;
}

/** 4. Stripe: the user's customer, then the bank account from a Plaid-minted btok_. */
async function attachAtStripe(run: LinkRun, item: PlaidItem, bankAccountId: string): Promise<AttachedBankAccount> {
  const { db, stripe } = run.deps;
  try {
    const customerId = await ensureStripeCustomer(db, stripe, run.user);
    await recordStep(run, db, LinkStep.CUSTOMER);
    return await attachBankAccount(run.deps, {
      customerId,
      accessToken: itemAccessToken(item),
      plaidAccountId: run.input.accountId,
      bankAccountId,
    });
  } catch (err) {
    if (stripeErrorCode(err) === "bank_account_exists") {
      // Stripe matched the numbers to a bank account this customer already has.
      return fail(run, new AppError(409, "DUPLICATE_ACCOUNT", "This bank account is already linked to your profile."), { itemId: item.id });
    }
    if (err instanceof Stripe.errors.StripeError && !isTransientStripeError(err)) {
      return fail(
        run,
        new AppError(
          400,
          err.code ? providerCode(err.code) : "STRIPE_REJECTED",
          "Your bank account could not be set up for payments. Please try another account.",
        ),
        { itemId: item.id },
      );
    }
    const plaidError = plaidErrorOf(err);
    if (plaidError && !isTransientPlaidError(err)) {
      return fail(
        run,
        new AppError(
          400,
          providerCode(plaidError.error_code),
          plaidError.display_message ?? "Your bank account could not be set up for payments.",
        ),
        { itemId: item.id },
      );
    }
    return pause(run, "UPSTREAM_UNAVAILABLE", err instanceof Error ? err.message.slice(0, 200) : "upstream error", "payment processor");
  }
}

/**
 * 5. Done: bank account and item active, the attempt completed, in one
 * transaction. An account that matches an active block (lib/banking/blocks.ts:
 * the same numbers, or this user's same institution and mask) lands
 * blocked, under the funding lock, so it is never fundable for a moment.
 */
async function complete(run: LinkRun, item: PlaidItem, bankAccountId: string, attached: AttachedBankAccount): Promise<void> {
  await run.deps.db.$transaction(async (tx: Tx) => {
    await lockFundingUser(tx, run.user.id);
    const account = await tx.bankAccount.findUniqueOrThrow({ where: { id: bankAccountId }, select: { institutionId: true, mask: true } });
    const block = await findActiveBlock(tx, { userId: run.user.id, stripeFingerprint: attached.fingerprint, ...account });
    await tx.bankAccount.update({
      where: { id: bankAccountId },
      data: { stripeBankAccountId: attached.id, status: "ACTIVE", ...(block ? { reviewStatus: "BLOCKED" } : {}) },
    });
    if (block)
      await recordAudit(tx, {
        actorId: run.user.id,
        action: "bank_account.block_matched",
        targetType: "bank_account",
        targetId: bankAccountId,
        metadata: { blockId: block.id },
      });
    await moveItemStatus(tx, item.id, "ACTIVE", {
      cause: "link_completed",
      actorId: run.user.id,
      errorCode: null,
      metadata: { linkAttemptId: run.attempt.id },
    });
    await recordStep(run, tx, LinkStep.COMPLETED, { status: "COMPLETED", errorCode: null, errorMessage: null });
  });
}

/**
 * Attaches the account at Stripe once. A source already tagged with this bank
 * account (from an attempt whose response was lost) is reused, so retries
 * never leave a second ba_ behind.
 */
async function attachBankAccount(
  deps: Deps,
  input: { customerId: string; accessToken: string; plaidAccountId: string; bankAccountId: string },
): Promise<AttachedBankAccount> {
  const existing = await deps.db.bankAccount.findUniqueOrThrow({
    where: { id: input.bankAccountId },
    select: { stripeBankAccountId: true },
  });
  if (existing.stripeBankAccountId) return { id: existing.stripeBankAccountId, fingerprint: null };
  const sources = await deps.stripe.customers.listSources(input.customerId, { object: "bank_account", limit: 100 });
  const tagged = sources.data.find((s) => "metadata" in s && s.metadata?.bank_account_id === input.bankAccountId);
  if (tagged) return attachedOf(tagged);
  const { data } = await deps.plaid.processorStripeBankAccountTokenCreate({
    access_token: input.accessToken,
    account_id: input.plaidAccountId,
  });
  const source = await deps.stripe.customers.createSource(
    input.customerId,
    { source: data.stripe_bank_account_token, metadata: { bank_account_id: input.bankAccountId } },
    { idempotencyKey: `attach:${input.bankAccountId}:${data.stripe_bank_account_token}` },
  );
  return attachedOf(source);
}

function attachedOf(source: Stripe.CustomerSource): AttachedBankAccount {
  return { id: source.id, fingerprint: source.object === "bank_account" ? (source.fingerprint ?? null) : null };
}

/** Best-effort /item/remove after a failed link, so no Plaid item outlives its purpose. */
export async function removeItemQuietly(deps: Pick<Deps, "db" | "plaid">, itemRowId: string, actorId: string | null = null): Promise<void> {
  const item = await deps.db.plaidItem.findUnique({ where: { id: itemRowId } });
  if (!item || item.status === "REMOVED") return;
  try {
    await deps.plaid.itemRemove({ access_token: itemAccessToken(item) });
  } catch (err) {
    const code = plaidErrorOf(err)?.error_code;
    if (code !== "ITEM_NOT_FOUND" && code !== "INVALID_ACCESS_TOKEN") return; // stays LINKING: visible, retried by removal later
  }
  await deps.db.$transaction(async (tx: Tx) => {
    await moveItemStatus(tx, item.id, "REMOVED", { cause: "link_failed", actorId });
    await tx.bankAccount.updateMany({ where: { itemId: item.id }, data: { status: "REMOVED", removedAt: new Date() } });
  });
}

async function viewOf(db: Db, userId: string, bankAccountId: string): Promise<BankAccountView> {
  const view = (await listBankAccounts(db, userId)).find((a) => a.id === bankAccountId);
  if (!view) throw new AppError(404, "NOT_FOUND", "Bank account not found.");
  return view;
}
