import { z } from "zod";
import { safeJson, safeText } from "@/lib/safe-text";
import { parseJsonBody } from "@/lib/http/api";
import { userRoute } from "@/lib/http/route";
import { rateLimitUser } from "@/lib/http/rate-limit";
import { getDb } from "@/lib/db";
import { logLinkEvent } from "@/lib/plaid/link-events";

const bodySchema = z.object({
  type: z.enum(["exit", "event"]),
  eventName: safeText().max(100).optional(),
  error: z
    .object({
      error_type: safeText().max(100),
      error_code: safeText().max(100),
      error_message: safeText().max(2000),
      display_message: safeText().max(2000).nullable().optional(),
    })
    .nullable()
    .optional(),
  metadata: z.record(safeText(), safeJson()).default({}),
});

/** Link's onExit/onEvent, logged server-side with their link_session_id and request_id. */
export const POST = userRoute(async (req, { user }) => {
  const parsed = await parseJsonBody(req, bodySchema);
  if ("response" in parsed) return parsed.response;
  await rateLimitUser(getDb(), "linkEvents", user.id);
  await logLinkEvent(user.id, parsed.data);
  return new Response(null, { status: 204 });
});
