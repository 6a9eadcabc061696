import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { checkStripeEvent } from "../stripe-schema/checks.js";

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as signed. */
  body: string;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`, without a path: any path is accepted. */
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** A local HTTP endpoint that records every request and answers `status(path)` (200 by default). */
export async function startWebhookReceiver(status: (path: string) => number = () => 200): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "";
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ path, headers: req.headers, body });
      // Stripe's deliveries (signed with Stripe-Signature) are checked against the SDK's types.
      if (req.headers["stripe-signature"]) checkStripeEvent(`webhook ${path}`, parseJson(body));
      res.writeHead(status(path)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
