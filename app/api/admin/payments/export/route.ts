import { adminRoute, parseQuery } from "@/lib/http/admin-route";
import { recordAudit } from "@/lib/audit";
import { getDb } from "@/lib/db";
import { exportPaymentsCsv } from "@/lib/admin/payments";
import { paymentFilterSchema } from "@/lib/admin/schemas";

/** The filtered payments as CSV, streamed (same filters as the list). Bulk personal data: step-up, like a change. */
export const GET = adminRoute(
  async (req, { user, ip }) => {
    const query = parseQuery(req, paymentFilterSchema);
    if ("response" in query) return query.response;
    const { cursor: _cursor, ...filter } = query.data;
    await recordAudit(getDb(), { actorId: user.id, action: "admin.payments.exported", targetType: "payment", metadata: { ...filter }, ip });
    return new Response(exportPaymentsCsv(getDb(), filter), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="payments-${new Date().toISOString().slice(0, 10)}.csv"`,
      },
    });
  },
  { stepUp: true },
);
