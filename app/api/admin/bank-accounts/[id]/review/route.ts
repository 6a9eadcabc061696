import { parseJsonBody } from "@/lib/http/api";
import { adminRoute } from "@/lib/http/admin-route";
import { getDb } from "@/lib/db";
import { decideReview } from "@/lib/admin/review";
import { reviewDecisionSchema } from "@/lib/admin/schemas";

/** Approve or block a linked account ({ decision: "approve" | "block", reason? }); a block stops funding at once; lifting one needs a reason. */
export const POST = adminRoute<{ id: string }>(async (req, { user, params, ip }) => {
  const parsed = await parseJsonBody(req, reviewDecisionSchema);
  if ("response" in parsed) return parsed.response;
  return Response.json({
    bankAccount: await decideReview(getDb(), { id: user.id, ip }, params.id, parsed.data.decision, parsed.data.reason),
  });
});
