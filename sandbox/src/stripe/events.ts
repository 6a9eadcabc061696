import { createHmac } from "node:crypto";
import type Stripe from "stripe";
import { alphanumeric } from "../core/ids.js";
import { invalidRequest } from "./errors.js";
import { newestFirst } from "./list.js";
import { requireRecord } from "./lookup.js";
import { mergeMetadata } from "./params.js";
import { listRoute, retrieveRoute } from "./resource-routes.js";
import type { Route } from "./router.js";
import { API_VERSION, newId, unixNow, type StripeRuntime, type StoredWebhookEndpoint } from "./state.js";

export type EventType = Stripe.Event["type"];
/** The object an event of type T carries, per the SDK's typed events. */
export type EventObject<T extends EventType> = Extract<Stripe.Event, { type: T }>["data"]["object"];
/** What changed, for `*.updated` events only: Stripe sends `previous_attributes` on no other type. */
type PreviousAttributes<T extends EventType> = T extends `${string}.updated` ? Partial<EventObject<T>> : never;

/**
 * Records an event (a snapshot of `object`) and delivers it to every enabled
 * endpoint subscribed to its type, plus the endpoint from the sandbox config.
 */
export function emitEvent<T extends EventType>(
  rt: StripeRuntime,
  type: T,
  object: EventObject<T>,
  previousAttributes?: PreviousAttributes<T>,
): Stripe.Event {
  const targets = webhookTargets(rt, type);
  const base: Stripe.EventBase = {
    id: newId("evt"),
    object: "event",
    api_version: API_VERSION,
    created: unixNow(),
    data: { object: structuredClone(object), ...(previousAttributes ? { previous_attributes: previousAttributes } : {}) },
    livemode: false,
    pending_webhooks: targets.length,
    request: rt.currentRequest,
    type,
  };
  // The generic signature ties `type` to its object type; TS cannot narrow the union from a generic.
  const event = base as Stripe.Event;
  rt.state.events[event.id] = event;
  rt.changed();
  const body = JSON.stringify(event, null, 2);
  for (const target of targets) {
    rt.context.webhooks.send({
      source: "stripe",
      url: target.url,
      type,
      body,
      sign: (payload) => ({ "Stripe-Signature": signPayload(payload, target.secret) }),
      // pending_webhooks counts the endpoints that have not had it yet, as on Stripe.
      onDelivered: () => {
        const stored = rt.state.events[event.id];
        if (stored && stored.pending_webhooks > 0) {
          stored.pending_webhooks -= 1;
          rt.changed();
        }
      },
    });
  }
  return event;
}

/** `t=<unix>,v1=<hex HMAC-SHA256(secret, "t.payload")>`, what stripe.webhooks.constructEvent verifies. */
export function signPayload(payload: string, secret: string, timestamp = unixNow()): string {
  const signature = createHmac("sha256", secret).update(`${timestamp}.${payload}`, "utf8").digest("hex");
  return `t=${timestamp},v1=${signature}`;
}

function webhookTargets(rt: StripeRuntime, type: string): { url: string; secret: string }[] {
  const targets = Object.values(rt.state.webhookEndpoints)
    .filter(
      ({ endpoint }) => endpoint.status === "enabled" && (endpoint.enabled_events.includes("*") || endpoint.enabled_events.includes(type)),
    )
    .map(({ endpoint, secret }) => ({ url: endpoint.url, secret }));
  const { stripeWebhookUrl, stripeWebhookSecret } = rt.context.config;
  if (stripeWebhookUrl && stripeWebhookSecret) targets.push({ url: stripeWebhookUrl, secret: stripeWebhookSecret });
  return targets;
}

function matchesType(eventType: string, filter: string): boolean {
  return filter.endsWith(".*") ? eventType.startsWith(filter.slice(0, -1)) : eventType === filter;
}

export function eventRoutes(rt: StripeRuntime): Route[] {
  return [
    retrieveRoute("/v1/events/:id", (path) => requireRecord(rt.state.events, "event", path.id!, "id")),
    listRoute(
      "/v1/events",
      (params) => {
        const type = params.string("type");
        const types = params.stringList("types");
        if (type !== undefined && types !== undefined)
          throw invalidRequest("You may only specify one of these parameters: type, types.", { param: "types" });
        const filters = types ?? (type !== undefined ? [type] : undefined);
        // true: every webhook delivered; false: some still pending or failed for good (Stripe's definition).
        const deliverySuccess = params.boolean("delivery_success");
        return newestFirst(rt.state.events).filter(
          (e) =>
            (!filters || filters.some((f) => matchesType(e.type, f))) &&
            (deliverySuccess === undefined || (e.pending_webhooks === 0) === deliverySuccess),
        );
      },
      { filterCreated: true },
    ),
  ];
}

function endpointOf(rt: StripeRuntime, id: string): StoredWebhookEndpoint {
  return requireRecord(rt.state.webhookEndpoints, "webhook endpoint", id, "id");
}

export function webhookEndpointRoutes(rt: StripeRuntime): Route[] {
  return [
    {
      method: "POST",
      pattern: "/v1/webhook_endpoints",
      accepts: ["url", "enabled_events", "description", "metadata", "api_version"],
      handler: ({ params }) => {
        const url = params.requiredString("url");
        const enabledEvents = params.stringList("enabled_events");
        if (!enabledEvents || enabledEvents.length === 0)
          throw invalidRequest("Missing required param: enabled_events.", { param: "enabled_events", code: "parameter_missing" });
        const description = params.nullableString("description") ?? null;
        const metadata = mergeMetadata({}, params.metadata());
        const apiVersion = params.string("api_version") ?? null;
        params.finish();
        validateUrl(url);
        const endpoint: Stripe.WebhookEndpoint = {
          id: newId("we"),
          object: "webhook_endpoint",
          api_version: apiVersion,
          application: null,
          created: unixNow(),
          description,
          enabled_events: enabledEvents,
          livemode: false,
          metadata,
          status: "enabled",
          url,
        };
        const secret = `whsec_${alphanumeric(32)}`;
        rt.state.webhookEndpoints[endpoint.id] = { endpoint, secret };
        rt.changed();
        // Like Stripe, the secret is only ever shown in the create response.
        return { ...endpoint, secret };
      },
    },
    retrieveRoute("/v1/webhook_endpoints/:id", (path) => endpointOf(rt, path.id!).endpoint),
    {
      method: "POST",
      pattern: "/v1/webhook_endpoints/:id",
      handler: ({ params, path }) => {
        const stored = endpointOf(rt, path.id!);
        const url = params.string("url");
        const enabledEvents = params.stringList("enabled_events");
        const disabled = params.boolean("disabled");
        const description = params.nullableString("description");
        const metadata = params.metadata();
        params.finish();
        if (url !== undefined) validateUrl(url);
        const endpoint = stored.endpoint;
        if (url !== undefined) endpoint.url = url;
        if (enabledEvents !== undefined && enabledEvents.length > 0) endpoint.enabled_events = enabledEvents;
        if (disabled !== undefined) endpoint.status = disabled ? "disabled" : "enabled";
        if (description !== undefined) endpoint.description = description;
        endpoint.metadata = mergeMetadata(endpoint.metadata, metadata);
        rt.changed();
        return endpoint;
      },
    },
    listRoute("/v1/webhook_endpoints", () => newestFirst(rt.state.webhookEndpoints).map((s) => s.endpoint)),
    {
      method: "DELETE",
      pattern: "/v1/webhook_endpoints/:id",
      handler: ({ params, path }) => {
        params.finish();
        const { endpoint } = endpointOf(rt, path.id!);
        delete rt.state.webhookEndpoints[endpoint.id];
        rt.changed();
        const deleted: Stripe.DeletedWebhookEndpoint = { id: endpoint.id, object: "webhook_endpoint", deleted: true };
        return deleted;
      },
    },
  ];
}

function validateUrl(url: string): void {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") return;
  } catch {
    // fall through to Stripe's error
  }
  throw invalidRequest(`Invalid URL: ${url}`, { param: "url", code: "url_invalid" });
}
