import Stripe from "stripe";
import { DEFAULT_CREDENTIALS } from "../../src/server.js";
import { checkStripeAnswer } from "../stripe-schema/checks.js";

/**
 * The SDK's own Node HTTP client, with every answer's body checked against
 * the SDK's types on the way in (see stripe-schema/). The body is read once
 * and handed to the SDK as it came.
 */
class SchemaCheckedHttpClient extends Stripe.HttpClient {
  private readonly inner = Stripe.createNodeHttpClient();

  override getClientName(): string {
    return "schema-checked-node";
  }

  override async makeRequest(...args: Parameters<Stripe.HttpClient["makeRequest"]>): Promise<Stripe.HttpClientResponse> {
    const response = await this.inner.makeRequest(...args);
    let body: unknown;
    try {
      body = await response.toJSON();
    } catch (err) {
      // Not JSON (e.g. an injected fault): the SDK reports it as it would.
      return { ...bind(response), toJSON: () => Promise.reject(err) };
    }
    const [, , path, method] = args;
    checkStripeAnswer(`${method} ${path.split("?")[0]} → ${response.getStatusCode()}`, body);
    return { ...bind(response), toJSON: () => Promise.resolve(body) };
  }
}

function bind(response: Stripe.HttpClientResponse): Stripe.HttpClientResponse {
  return {
    getStatusCode: () => response.getStatusCode(),
    getHeaders: () => response.getHeaders(),
    getRawResponse: () => response.getRawResponse(),
    toStream: (done) => response.toStream(done),
    toJSON: () => response.toJSON(),
  };
}

/** SDK options that point it at a sandbox on loopback, schema-checked. */
export function sandboxStripeConfig(port: number, maxNetworkRetries: number): Stripe.StripeConfig {
  return { host: "127.0.0.1", port, protocol: "http", telemetry: false, maxNetworkRetries, httpClient: new SchemaCheckedHttpClient() };
}

/** The official Stripe SDK pointed at a sandbox on loopback, without its own retries unless asked for. */
export function sandboxStripe(port: number, options: { maxNetworkRetries?: number; key?: string } = {}): Stripe {
  return new Stripe(options.key ?? DEFAULT_CREDENTIALS.stripeSecretKey, sandboxStripeConfig(port, options.maxNetworkRetries ?? 0));
}
