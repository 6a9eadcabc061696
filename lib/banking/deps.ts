import "server-only";
import { getDb } from "@/lib/db";
import { getPlaid } from "@/lib/plaid/client";
import { getStripe } from "@/lib/stripe/client";

/** The live clients the banking and funding services run with (tests pass their own). */
export function bankingDeps() {
  return { db: getDb(), plaid: getPlaid(), stripe: getStripe() };
}
