import { z } from "zod";
import { safeText } from "@/lib/safe-text";
import { ReviewStatus } from "@/lib/generated/prisma/enums";

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const pageNumber = z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(100_000).optional());

export const reviewQuerySchema = z.object({ page: pageNumber, status: z.preprocess(blankToUndefined, z.enum(ReviewStatus).optional()) });
export const userQuerySchema = z.object({ q: z.preprocess(blankToUndefined, safeText().trim().max(200).optional()), page: pageNumber });
export const reviewDecisionSchema = z.object({
  decision: z.enum(["approve", "block"], "Choose approve or block"),
  /** Why a block is lifted (approving a blocked account needs it). */
  reason: safeText().trim().min(1, "Say why").max(500, "Keep the reason under 500 characters").optional(),
});
export const userStatusSchema = z.object({ disabled: z.boolean("disabled must be true or false") });
export const settingsSchema = z.object({ allowFundingBeforeReview: z.boolean("allowFundingBeforeReview must be true or false") });
