import "server-only";
import type Stripe from "stripe";
import type { Db, User } from "@/lib/db";

/**
 * The user's Stripe customer, created once and reused. The idempotency key
 * makes concurrent first links converge on one customer.
 */
export async function ensureStripeCustomer(db: Db, stripe: Stripe, user: Pick<User, "id" | "email" | "name">): Promise<string> {
  const current = await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { stripeCustomerId: true } });
  if (current.stripeCustomerId) return current.stripeCustomerId;
  const customer = await stripe.customers.create(
    { email: user.email, name: user.name ?? undefined, metadata: { user_id: user.id } },
    { idempotencyKey: `customer:${user.id}` },
  );
  await db.user.updateMany({ where: { id: user.id, stripeCustomerId: null }, data: { stripeCustomerId: customer.id } });
  const saved = await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { stripeCustomerId: true } });
  return saved.stripeCustomerId!;
}
