import { z } from "zod";
import { parseJsonBody } from "@/lib/http/api";
import { userRoute } from "@/lib/http/route";
import { logLinkEvent } from "@/lib/plaid/link-events";

const bodySchema = z.object({
  type: z.enum(["exit", "event"]),
  eventName: z.string().max(100).optional(),
  error: z
    .object({
      error_type: z.string().max(100),
      error_code: z.string().max(100),
      error_message: z.string().max(2000),
      display_message: z.string().max(2000).nullable().optional(),
    })
    .nullable()
    .optional(),
  metadata: z.record(z.string(), z.unknown()).default({}),
});

/** Link's onExit/onEvent, logged server-side with their link_session_id and request_id. */
export const POST = userRoute(async (req, { user }) => {
  const parsed = await parseJsonBody(req, bodySchema);
  if ("response" in parsed) return parsed.response;
  await logLinkEvent(user.id, parsed.data);
  return new Response(null, { status: 204 });
});
