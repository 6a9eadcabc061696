import { parseJsonBody } from "@/lib/http/api";
import { userRoute } from "@/lib/http/route";
import { bankingDeps } from "@/lib/banking/deps";
import { createFundingPayment, createPaymentSchema } from "@/lib/funding/create-payment";

/** Funds the balance: one debit per client request id, however often it is sent. */
export const POST = userRoute(async (req, { user, ip, userAgent }) => {
  const parsed = await parseJsonBody(req, createPaymentSchema);
  if ("response" in parsed) return parsed.response;
  const { payment, created } = await createFundingPayment(bankingDeps(), user, parsed.data, { ip, userAgent });
  return Response.json({ payment }, { status: created ? 201 : 200 });
});
