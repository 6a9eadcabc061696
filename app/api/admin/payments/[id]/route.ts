import { adminRoute } from "@/lib/http/admin-route";
import { getDb } from "@/lib/db";
import { getAdminPaymentDetail } from "@/lib/admin/payments";

/** A payment with its Stripe ids, webhook timeline, audit entries and failure reason. */
export const GET = adminRoute<{ id: string }>(async (_req, { params }) => Response.json(await getAdminPaymentDetail(getDb(), params.id)));
