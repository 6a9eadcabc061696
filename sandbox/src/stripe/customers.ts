import type Stripe from "stripe";
import { attachBankAccount, resolveToken } from "./bank-accounts.js";
import { emitEvent } from "./events.js";
import { newestFirst } from "./list.js";
import { requireCustomer, requireCustomerBankAccount, requireRecord } from "./lookup.js";
import { mergeMetadata } from "./params.js";
import { listRoute, retrieveRoute } from "./resource-routes.js";
import type { Route } from "./router.js";
import { isDeletedCustomer, newId, unixNow, type StripeRuntime } from "./state.js";

function changedFields(before: Stripe.Customer, after: Stripe.Customer): Partial<Stripe.Customer> {
  const previous: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof Stripe.Customer)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) previous[key] = before[key];
  }
  return previous as Partial<Stripe.Customer>;
}

export function customerRoutes(rt: StripeRuntime): Route[] {
  return [
    {
      method: "POST",
      pattern: "/v1/customers",
      handler: ({ params }) => {
        const email = params.nullableString("email") ?? null;
        const name = params.nullableString("name") ?? null;
        const description = params.nullableString("description") ?? null;
        const phone = params.nullableString("phone") ?? null;
        const metadata = mergeMetadata({}, params.metadata());
        const source = params.string("source");
        params.finish();
        const resolved = source !== undefined ? resolveToken(rt, source, null) : undefined;

        const customer: Stripe.Customer = {
          id: newId("cus"),
          object: "customer",
          address: null,
          balance: 0,
          created: unixNow(),
          currency: null,
          default_source: null,
          delinquent: false,
          description,
          discount: null,
          email,
          invoice_prefix: newId("x").slice(2, 10).toUpperCase(),
          invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
          livemode: false,
          metadata,
          name,
          next_invoice_sequence: 1,
          phone,
          preferred_locales: [],
          shipping: null,
          tax_exempt: "none",
          test_clock: null,
        };
        rt.state.customers[customer.id] = customer;
        rt.changed();
        // Attached first, so customer.created already shows the default source (the create is atomic on Stripe).
        if (resolved) attachBankAccount(rt, resolved, customer, {});
        emitEvent(rt, "customer.created", customer);
        return customer;
      },
    },
    retrieveRoute("/v1/customers/:id", (path) => {
      // A deleted customer is still retrievable, as `{ id, object, deleted: true }`.
      return requireRecord(rt.state.customers, "customer", path.id!, "id");
    }),
    {
      method: "POST",
      pattern: "/v1/customers/:id",
      handler: ({ params, path }) => {
        const customer = requireCustomer(rt, path.id!, "id");
        const email = params.nullableString("email");
        const name = params.nullableString("name");
        const description = params.nullableString("description");
        const phone = params.nullableString("phone");
        const metadata = params.metadata();
        const defaultSource = params.string("default_source");
        const source = params.string("source");
        params.finish();
        if (defaultSource !== undefined) requireCustomerBankAccount(rt, customer.id, defaultSource, "default_source");
        const resolved = source !== undefined ? resolveToken(rt, source, customer.id) : undefined;

        const before = structuredClone(customer);
        if (email !== undefined) customer.email = email;
        if (name !== undefined) customer.name = name;
        if (description !== undefined) customer.description = description;
        if (phone !== undefined) customer.phone = phone;
        customer.metadata = mergeMetadata(customer.metadata, metadata);
        if (defaultSource !== undefined) customer.default_source = defaultSource;
        rt.changed();
        // `source` on update adds the bank account and makes it the default, as on Stripe.
        if (resolved) customer.default_source = attachBankAccount(rt, resolved, customer, {}).bankAccount.id;
        const previous = changedFields(before, customer);
        if (Object.keys(previous).length > 0) emitEvent(rt, "customer.updated", customer, previous);
        return customer;
      },
    },
    listRoute(
      "/v1/customers",
      (params) => {
        const email = params.string("email");
        return newestFirst(rt.state.customers).filter(
          (c): c is Stripe.Customer => !isDeletedCustomer(c) && (email === undefined || c.email === email),
        );
      },
      { filterCreated: true },
    ),
    {
      method: "DELETE",
      pattern: "/v1/customers/:id",
      handler: ({ params, path }) => {
        params.finish();
        const customer = requireCustomer(rt, path.id!, "id");
        const deleted: Stripe.DeletedCustomer = { id: customer.id, object: "customer", deleted: true };
        rt.state.customers[customer.id] = deleted;
        for (const stored of Object.values(rt.state.bankAccounts)) {
          if (stored.bankAccount.customer === customer.id) stored.bankAccount.customer = null;
        }
        rt.changed();
        emitEvent(rt, "customer.deleted", customer);
        return deleted;
      },
    },
  ];
}
