import { z } from "zod";
import { getDb } from "@/lib/db";
import { createLinkToken } from "@/lib/plaid/link-token";
import { createUpdateModeLinkToken } from "@/lib/banking/reconnect";
import { parseJsonBody } from "@/lib/http/api";
import { userRoute } from "@/lib/http/route";
import { describePlaidFailure } from "@/lib/plaid/errors";
import { AppError, providerCode } from "@/lib/errors";

const bodySchema = z.object({ itemId: z.string().trim().min(1).max(100).optional() });

/** A fresh link_token per request; with itemId, Link in update mode for that item. */
export const POST = userRoute(async (req, { user }) => {
  const parsed = await parseJsonBody(req, bodySchema);
  if ("response" in parsed) return parsed.response;
  try {
    const linkToken = parsed.data.itemId ? await createUpdateModeLinkToken(getDb(), user.id, parsed.data.itemId) : await createLinkToken(user);
    return Response.json({ linkToken });
  } catch (err) {
    if (err instanceof AppError) throw err;
    const failure = describePlaidFailure(err);
    throw new AppError(502, providerCode(failure.code), failure.displayMessage ?? "Plaid is not available right now. Please try again.");
  }
});
