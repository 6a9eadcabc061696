import { z } from "zod";
import { safeText } from "@/lib/safe-text";
import { getDb } from "@/lib/db";
import { createLinkToken } from "@/lib/plaid/link-token";
import { createUpdateModeLinkToken } from "@/lib/banking/reconnect";
import { requireVerifiedEmail } from "@/lib/auth/email-verification";
import { parseJsonBody } from "@/lib/http/api";
import { userRoute } from "@/lib/http/route";
import { rateLimitUser } from "@/lib/http/rate-limit";

const bodySchema = z.object({ itemId: safeText().trim().min(1).max(100).optional() });

/**
 * A fresh link_token per request; with itemId, Link in update mode for that item. A new link needs a
 * verified email address (reconnecting an item does not: it was linked once verified). Plaid failures
 * arrive as AppErrors (lib/plaid/link-token.ts).
 */
export const POST = userRoute(async (req, { user }) => {
  const parsed = await parseJsonBody(req, bodySchema);
  if ("response" in parsed) return parsed.response;
  await rateLimitUser(getDb(), "linkToken", user.id);
  const linkToken = parsed.data.itemId
    ? await createUpdateModeLinkToken(getDb(), user.id, parsed.data.itemId)
    : await createLinkToken(requireVerifiedEmail(user, "link a bank"));
  return Response.json({ linkToken });
});
