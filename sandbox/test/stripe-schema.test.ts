import { beforeAll, describe, expect, inject, it } from "vitest";
import { customerWithBankAccount, debit, useStripeHarness } from "./stripe-harness.js";
import { importValidators } from "./stripe-schema/checks.js";
import { StripeSchemaValidator } from "./stripe-schema/validate.js";

const h = useStripeHarness();
let loaded: StripeSchemaValidator;
beforeAll(async () => {
  const { module, objects } = inject("stripeSchema");
  loaded = new StripeSchemaValidator(await importValidators(module), objects);
});
const validator = () => loaded;
const plain = <T>(value: T): Record<string, unknown> => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

/** The check that every Stripe answer and event in these tests goes through, shown failing on what it must refuse. */
describe("schema check against the stripe SDK's types", () => {
  it("accepts the emulator's objects, lists and events as they are", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const intent = await debit(h.stripe, customer.id, bankAccount.id);
    const v = validator();
    expect(v.answer(plain(intent))).toEqual([]);
    expect(v.answer(plain(await h.stripe.paymentIntents.list({ customer: customer.id })))).toEqual([]);
    expect(v.answer(plain(await h.stripe.events.list({ limit: 5 })))).toEqual([]);
  });

  it("refuses unknown fields, missing fields, wrong types and null where the type has none", async () => {
    const { customer } = await customerWithBankAccount(h.stripe, "000123456789");
    const v = validator();
    const body = plain(customer);
    expect(v.answer({ ...body, nickname: "x" })).toEqual([{ path: "", message: "must NOT have additional properties (nickname)" }]);
    const { email: _email, ...missing } = body;
    expect(v.answer(missing)[0]!.message).toMatch(/must have required property 'email'/);
    expect(v.answer({ ...body, balance: "0" })[0]).toMatchObject({ path: "/balance" });
    expect(v.answer({ ...body, livemode: null })[0]).toMatchObject({ path: "/livemode" });
    expect(v.answer({ ...body, description: null })).toEqual([]);
  });

  it("checks an expanded field against the type its object names, and an id in its place", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const intent = plain(await debit(h.stripe, customer.id, bankAccount.id));
    const v = validator();
    const expandedCustomer = plain(customer);
    expect(v.answer({ ...intent, customer: expandedCustomer })).toEqual([]);
    expect(v.answer({ ...intent, customer: { ...expandedCustomer, extra: 1 } })).toContainEqual({
      path: "/customer",
      message: "must NOT have additional properties (extra)",
    });
    expect(v.answer({ ...intent, customer: plain(bankAccount) })).toContainEqual({
      path: "/customer/object",
      message: "must be equal to one of the allowed values",
    });
    expect(v.answer({ ...intent, customer: 42 })).not.toEqual([]);
  });

  it("checks list items, event objects, and previous_attributes only on *.updated events", async () => {
    const { customer } = await customerWithBankAccount(h.stripe, "000123456789");
    const v = validator();
    const list = plain(await h.stripe.customers.list({ limit: 1 }));
    expect(v.answer({ ...list, data: [{ ...plain(customer), extra: true }] })[0]).toMatchObject({ path: "/data/0" });
    expect(v.answer({ ...list, total_count: 1 })[0]!.message).toMatch(/ApiList/);

    const [event] = (await h.stripe.events.list({ type: "customer.created", limit: 1 })).data;
    const created = plain(event);
    const data = created.data as Record<string, unknown>;
    expect(v.problems(created, "")).toEqual([]);
    expect(v.problems({ ...created, data: { ...data, object: { ...plain(customer), extra: 1 } } }, "")[0]).toMatchObject({
      path: "/data/object",
    });
    expect(v.problems({ ...created, data: { ...data, previous_attributes: { email: null } } }, "")).toEqual([
      { path: "/data/previous_attributes", message: "is only sent on *.updated events, not on customer.created" },
    ]);
    const updated = { ...created, type: "customer.updated" };
    expect(v.problems({ ...updated, data: { ...data, previous_attributes: { email: null } } }, "")).toEqual([]);
    expect(v.problems({ ...updated, data: { ...data, previous_attributes: { nickname: "x" } } }, "")[0]).toMatchObject({
      path: "/data/previous_attributes",
    });
  });

  it("checks error answers against the SDK's raw error type", () => {
    const v = validator();
    expect(v.answer({ error: { type: "invalid_request_error", message: "x", code: "parameter_unknown", param: "a" } })).toEqual([]);
    expect(v.answer({ error: { type: "invalid_request_error", message: "x", hint: "y" } })[0]).toMatchObject({ path: "/error" });
  });
});
