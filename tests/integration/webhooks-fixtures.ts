/**
 * Shared arrangement for the webhook and reconciliation integration tests:
 * rows inserted with Prisma, real objects created in the run's sandbox
 * through the app's own SDK clients, sandbox control API over HTTP.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type Stripe from "stripe";
import { expect } from "vitest";
import type { Db } from "@/lib/db";
import { getPlaid } from "@/lib/plaid/client";
import { sealItemAccessToken } from "@/lib/secrets";
import { getStripe } from "@/lib/stripe/client";
import { uniqueEmail } from "../helpers/db";

export function sandboxUrl(): string {
  return process.env.SANDBOX_URL!;
}

/** POST /__sandbox/<action> with a JSON body; throws with the sandbox's message on non-200. */
export async function sandbox<T = Record<string, unknown>>(action: string, body: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${sandboxUrl()}/__sandbox/${action}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(`sandbox ${action}: ${res.status} ${json.error ?? ""}`);
  return json;
}

export interface Linked {
  userId: string;
  customerId: string;
  itemRowId: string;
  plaidItemId: string;
  accessToken: string;
  plaidAccountId: string;
  bankAccountId: string;
  stripeBankAccountId: string;
}

/**
 * A user with a Plaid item, one ACTIVE bank account and its `ba_` attached
 * to a Stripe customer. `btok`: a Stripe test token (decides how debits
 * settle); default: a real token minted by Plaid for the item's checking account.
 */
export async function linkBankAccount(db: Db, options: { btok?: string; webhook?: string | null } = {}): Promise<Linked> {
  const item = await sandbox<{ access_token: string; item_id: string; accounts: { account_id: string; subtype: string }[] }>("plaid/item", {
    ...(options.webhook ? { webhook: options.webhook } : {}),
  });
  const checking = item.accounts.find((a) => a.subtype === "checking")!;
  const token =
    options.btok ??
    (await getPlaid().processorStripeBankAccountTokenCreate({ access_token: item.access_token, account_id: checking.account_id })).data
      .stripe_bank_account_token;
  const email = uniqueEmail("webhooks");
  const customer = await getStripe().customers.create({ email, source: token });
  const ba = customer.default_source as string;
  expect(ba).toMatch(/^ba_/);

  const user = await db.user.create({ data: { email, stripeCustomerId: customer.id, emailVerified: new Date() } });
  const itemRowId = `item_${randomUUID()}`;
  await db.plaidItem.create({
    data: {
      id: itemRowId,
      userId: user.id,
      plaidItemId: item.item_id,
      accessTokenCiphertext: sealItemAccessToken(itemRowId, item.access_token),
      institutionId: "ins_109508",
      institutionName: "First Platypus Bank",
      status: "ACTIVE",
    },
  });
  const bankAccount = await db.bankAccount.create({
    data: {
      userId: user.id,
      itemId: itemRowId,
      plaidAccountId: checking.account_id,
      name: "Plaid Checking",
      mask: "0000",
      type: "depository",
      subtype: "checking",
      stripeBankAccountId: ba,
      status: "ACTIVE",
      reviewStatus: "APPROVED",
    },
  });
  return {
    userId: user.id,
    customerId: customer.id,
    itemRowId,
    plaidItemId: item.item_id,
    accessToken: item.access_token,
    plaidAccountId: checking.account_id,
    bankAccountId: bankAccount.id,
    stripeBankAccountId: ba,
  };
}

export interface Debit {
  paymentId: string;
  intent: Stripe.PaymentIntent;
  mandateAcceptanceId: string;
  stripeMandateId: string;
}

/** A PENDING payment row as the funding code writes it before calling Stripe. */
export function writePaymentRow(
  db: Db,
  linked: Linked,
  amountCents: number,
  options: { requestId?: string; mandateAcceptanceId?: string } = {},
) {
  const requestId = options.requestId ?? randomUUID();
  return db.payment.create({
    data: {
      userId: linked.userId,
      bankAccountId: linked.bankAccountId,
      amountCents,
      requestId,
      idempotencyKey: `fund:${linked.userId}:${requestId}`,
      mandateAcceptanceId: options.mandateAcceptanceId ?? null,
    },
  });
}

/**
 * A funding debit as the funding code makes it: the Payment row first, then
 * a confirmed PaymentIntent (metadata.payment_id, online mandate acceptance),
 * its id stored. `linkIntent: false` leaves the Payment without the intent id
 * (the create call's answer was lost).
 */
export async function startDebit(db: Db, linked: Linked, amountCents = 2_500, options: { linkIntent?: boolean } = {}): Promise<Debit> {
  const requestId = randomUUID();
  const mandate = await db.mandateAcceptance.create({
    data: {
      userId: linked.userId,
      bankAccountId: linked.bankAccountId,
      textVersion: "test",
      acceptedAt: new Date(),
      ipAddress: "203.0.113.9",
      userAgent: "vitest",
    },
  });
  const payment = await writePaymentRow(db, linked, amountCents, { requestId, mandateAcceptanceId: mandate.id });
  const intent = await getStripe().paymentIntents.create(
    {
      amount: amountCents,
      currency: "usd",
      customer: linked.customerId,
      payment_method: linked.stripeBankAccountId,
      allowed_payment_method_types: ["us_bank_account"],
      confirm: true,
      mandate_data: { customer_acceptance: { type: "online", online: { ip_address: "203.0.113.9", user_agent: "vitest" } } },
      metadata: { payment_id: payment.id },
    },
    { idempotencyKey: payment.idempotencyKey },
  );
  expect(intent.status).toBe("processing");
  const charge = await getStripe().charges.retrieve(intent.latest_charge as string);
  const stripeMandateId = charge.payment_method_details?.us_bank_account?.mandate as string;
  expect(stripeMandateId).toMatch(/^mandate_/);
  await db.mandateAcceptance.update({ where: { id: mandate.id }, data: { stripeMandateId } });
  if (options.linkIntent !== false) await db.payment.update({ where: { id: payment.id }, data: { stripePaymentIntentId: intent.id } });
  return { paymentId: payment.id, intent, mandateAcceptanceId: mandate.id, stripeMandateId };
}

/** The sandbox's recorded event of `type` about `objectId` (what Stripe would have delivered). */
export async function stripeEventFor(type: string, objectId: string): Promise<Stripe.Event> {
  for await (const event of getStripe().events.list({ type, limit: 100 })) {
    if ((event.data.object as { id?: string }).id === objectId) return event;
  }
  throw new Error(`no ${type} event for ${objectId}`);
}

/** A POST to the Stripe webhook route, signed with the run's secret unless `signature` is given. */
export function stripeWebhookRequest(payload: string, signature?: string | null): Request {
  const header =
    signature === undefined
      ? getStripe().webhooks.generateTestHeaderString({ payload, secret: process.env.STRIPE_WEBHOOK_SECRET! })
      : signature;
  return new Request("http://localhost:3000/api/webhooks/stripe", {
    method: "POST",
    headers: { "content-type": "application/json", ...(header !== null ? { "stripe-signature": header } : {}) },
    body: payload,
  });
}

export interface CapturedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  json: { webhook_type: string; webhook_code: string; item_id: string; [k: string]: unknown };
}

/**
 * A local HTTP server standing in for the app's webhook URL: the sandbox
 * delivers real signed Plaid webhooks to it; tests then hand them to the
 * route handler (as they are, or altered).
 */
export async function startCaptureServer(): Promise<{
  url: string;
  next(itemId: string, code: string): Promise<CapturedWebhook>;
  close(): Promise<void>;
}> {
  const received: CapturedWebhook[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      try {
        received.push({ headers: req.headers, body, json: JSON.parse(body) as CapturedWebhook["json"] });
      } catch {
        // not a webhook
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/plaid-webhook`,
    async next(itemId, code) {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const i = received.findIndex((w) => w.json.item_id === itemId && w.json.webhook_code === code);
        if (i !== -1) return received.splice(i, 1)[0]!;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no ${code} webhook for ${itemId} arrived`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The captured webhook as a Request to the Plaid route (optionally with another body or header). */
export function plaidWebhookRequest(webhook: CapturedWebhook, override: { body?: string; header?: string | null } = {}): Request {
  const header = override.header === undefined ? (webhook.headers["plaid-verification"] as string) : override.header;
  return new Request("http://localhost:3000/api/webhooks/plaid", {
    method: "POST",
    headers: { "content-type": "application/json", ...(header !== null ? { "plaid-verification": header } : {}) },
    body: override.body ?? webhook.body,
  });
}
