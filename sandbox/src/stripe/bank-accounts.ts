import { createHash } from "node:crypto";
import type Stripe from "stripe";
import type { StripeBridge } from "../core/context.js";
import { TEST_BANK_NAME, TEST_MICRODEPOSIT_AMOUNTS, TEST_ROUTING_NUMBER, TEST_TOKENS } from "./ach.js";
import { invalidRequest, resourceMissing } from "./errors.js";
import { emitEvent } from "./events.js";
import { paginate } from "./list.js";
import { requireCustomer, requireCustomerBankAccount } from "./lookup.js";
import { deactivateMandate } from "./mandates.js";
import { mergeMetadata, type Params } from "./params.js";
import { retrieveRoute } from "./resource-routes.js";
import type { Route } from "./router.js";
import { newId, unixNow, type StoredBankAccount, type StoredToken, type StripeRuntime } from "./state.js";

interface BankAccountDetails {
  accountNumber: string;
  routingNumber: string;
  accountHolderName: string | null;
  accountHolderType: "individual" | "company";
  accountType: "checking" | "savings";
  bankName: string;
  /** Plaid-minted and test tokens are `verified`; raw numbers start `new` (micro-deposits). */
  status: "new" | "verified";
}

/** Same numbers → same fingerprint, as on Stripe (used to spot duplicates). */
function fingerprint(routingNumber: string, accountNumber: string): string {
  return createHash("sha256").update(`${routingNumber}:${accountNumber}`).digest("base64url").slice(0, 16);
}

function bankAccountObject(details: BankAccountDetails): Stripe.BankAccount {
  return {
    id: newId("ba"),
    object: "bank_account",
    account_holder_name: details.accountHolderName,
    account_holder_type: details.accountHolderType,
    account_type: details.accountType,
    bank_name: details.bankName,
    country: "US",
    currency: "usd",
    fingerprint: fingerprint(details.routingNumber, details.accountNumber),
    last4: details.accountNumber.slice(-4),
    metadata: {},
    routing_number: details.routingNumber,
    status: details.status,
  };
}

function mintToken(rt: StripeRuntime, details: BankAccountDetails, clientIp: string | null): StoredToken {
  const token: Stripe.Token = {
    id: newId("btok"),
    object: "token",
    bank_account: bankAccountObject(details),
    client_ip: clientIp,
    created: unixNow(),
    livemode: false,
    type: "bank_account",
    used: false,
  };
  const stored = { token, accountNumber: details.accountNumber };
  rt.state.tokens[token.id] = stored;
  rt.changed();
  return stored;
}

/** What Plaid's /processor/stripe/bank_account_token/create calls: a verified, single-use btok_. */
export function createBridge(rt: StripeRuntime): StripeBridge {
  return {
    createBankAccountToken(input) {
      const { token } = mintToken(rt, { ...input, status: "verified" }, null);
      return { id: token.id };
    },
  };
}

/** A token ready to become a customer's bank account (validated, not consumed yet). */
interface ResolvedToken {
  bankAccount: Stripe.BankAccount;
  accountNumber: string;
  /** Absent for Stripe's reusable test tokens. */
  stored?: StoredToken;
}

function testTokenBankAccount(accountNumber: string): Stripe.BankAccount {
  return bankAccountObject({
    accountNumber,
    routingNumber: TEST_ROUTING_NUMBER,
    accountHolderName: null,
    accountHolderType: "individual",
    accountType: "checking",
    bankName: TEST_BANK_NAME,
    status: "verified",
  });
}

/** Validates `source: "btok_…"` for `customer` (single use, no duplicate account on the customer). */
export function resolveToken(rt: StripeRuntime, id: string, customer: string | null, param = "source"): ResolvedToken {
  const testAccount = TEST_TOKENS[id];
  let resolved: ResolvedToken;
  if (testAccount !== undefined) {
    resolved = { bankAccount: testTokenBankAccount(testAccount), accountNumber: testAccount };
  } else {
    const stored = rt.state.tokens[id];
    if (!stored?.token.bank_account) throw resourceMissing("token", id, param);
    if (stored.token.used)
      throw invalidRequest(`You cannot use a Stripe token more than once: ${id}.`, { param, code: "token_already_used" });
    resolved = { bankAccount: structuredClone(stored.token.bank_account), accountNumber: stored.accountNumber, stored };
  }
  if (customer !== null) {
    const duplicate = Object.values(rt.state.bankAccounts).some(
      (b) => b.bankAccount.customer === customer && b.bankAccount.fingerprint === resolved.bankAccount.fingerprint,
    );
    if (duplicate) {
      throw invalidRequest("A bank account with that routing number and account number already exists for this customer.", {
        param,
        code: "bank_account_exists",
      });
    }
  }
  return resolved;
}

/** Consumes the token and attaches its bank account to the customer (default source if it has none). */
export function attachBankAccount(
  rt: StripeRuntime,
  resolved: ResolvedToken,
  customer: Stripe.Customer,
  metadata: Record<string, string>,
): StoredBankAccount {
  if (resolved.stored) resolved.stored.token.used = true;
  const stored: StoredBankAccount = {
    bankAccount: { ...resolved.bankAccount, customer: customer.id, metadata },
    accountNumber: resolved.accountNumber,
    created: unixNow(),
    mandate: null,
  };
  rt.state.bankAccounts[stored.bankAccount.id] = stored;
  if (customer.default_source === null) customer.default_source = stored.bankAccount.id;
  rt.changed();
  emitEvent(rt, "customer.source.created", stored.bankAccount);
  return stored;
}

/** The customer's attached bank accounts, newest first (Stripe's `sources` list). */
export function customerSources(rt: StripeRuntime, customer: string, params?: Params): Stripe.ApiList<Stripe.BankAccount> {
  const accounts = Object.values(rt.state.bankAccounts)
    .filter((b) => b.bankAccount.customer === customer)
    .map((b) => b.bankAccount)
    .reverse();
  const url = `/v1/customers/${customer}/sources`;
  return params ? paginate(accounts, params, url) : { object: "list", data: accounts, has_more: false, url };
}

/**
 * A `ba_` seen through the PaymentMethods API: Stripe shows legacy bank
 * accounts as `us_bank_account` payment methods with the same id.
 */
export function paymentMethodView(rt: StripeRuntime, id: string): Stripe.PaymentMethod | undefined {
  const stored = rt.state.bankAccounts[id];
  if (!stored) return undefined;
  const ba = stored.bankAccount;
  return {
    id: ba.id,
    object: "payment_method",
    allow_redisplay: "unspecified",
    billing_details: { address: null, email: null, name: ba.account_holder_name, phone: null, tax_id: null },
    created: stored.created,
    customer: typeof ba.customer === "string" ? ba.customer : null,
    customer_account: null,
    livemode: false,
    metadata: ba.metadata ?? {},
    type: "us_bank_account",
    us_bank_account: {
      account_holder_type: ba.account_holder_type,
      account_type: ba.account_type,
      bank_name: ba.bank_name,
      financial_connections_account: null,
      fingerprint: ba.fingerprint,
      last4: ba.last4,
      networks: { preferred: "ach", supported: ["ach"] },
      routing_number: ba.routing_number,
      status_details: stored.blocked ? { blocked: { ...stored.blocked } } : null,
    },
  };
}

function readBankAccountParams(params: Params): BankAccountDetails {
  const accountNumber = params.requiredString("account_number");
  const routingNumber = params.requiredString("routing_number");
  const country = params.requiredString("country");
  const currency = params.string("currency") ?? "usd";
  const accountHolderName = params.string("account_holder_name") ?? null;
  const accountHolderType = params.enumeration("account_holder_type", ["individual", "company"] as const) ?? "individual";
  const accountType = params.enumeration("account_type", ["checking", "savings"] as const) ?? "checking";
  if (country.toUpperCase() !== "US" || currency.toLowerCase() !== "usd") {
    throw invalidRequest("The sandbox only supports US bank accounts in usd.", { param: "bank_account[country]" });
  }
  if (!/^\d{9}$/.test(routingNumber)) {
    throw invalidRequest(`Routing number must have 9 digits`, { param: "bank_account[routing_number]", code: "routing_number_invalid" });
  }
  if (!/^\d{4,17}$/.test(accountNumber)) {
    throw invalidRequest("You must use a test bank account number in test mode.", {
      param: "bank_account[account_number]",
      code: "account_number_invalid",
    });
  }
  const bankName = routingNumber === TEST_ROUTING_NUMBER ? TEST_BANK_NAME : "SANDBOX BANK";
  return { accountNumber, routingNumber, accountHolderName, accountHolderType, accountType, bankName, status: "new" };
}

export function bankAccountRoutes(rt: StripeRuntime): Route[] {
  return [
    {
      method: "POST",
      pattern: "/v1/tokens",
      handler: ({ params }) => {
        const bankAccount = params.object("bank_account");
        if (!bankAccount)
          throw invalidRequest("The sandbox can only tokenize bank accounts: pass bank_account.", { param: "bank_account" });
        const details = readBankAccountParams(bankAccount);
        params.finish();
        return mintToken(rt, details, null).token;
      },
    },
    retrieveRoute("/v1/tokens/:id", (path) => {
      const stored = rt.state.tokens[path.id!];
      if (stored) return stored.token;
      const testAccount = TEST_TOKENS[path.id!];
      if (testAccount === undefined) throw resourceMissing("token", path.id!, "token");
      const token: Stripe.Token = {
        id: path.id!,
        object: "token",
        bank_account: testTokenBankAccount(testAccount),
        client_ip: null,
        created: unixNow(),
        livemode: false,
        type: "bank_account",
        used: false,
      };
      return token;
    }),
    {
      method: "POST",
      pattern: "/v1/customers/:customer/sources",
      handler: ({ params, path }) => {
        const customer = requireCustomer(rt, path.customer!, "customer");
        const source = params.requiredString("source");
        const metadata = mergeMetadata({}, params.metadata());
        params.finish();
        const resolved = resolveToken(rt, source, customer.id);
        const hadDefault = customer.default_source !== null;
        const stored = attachBankAccount(rt, resolved, customer, metadata);
        if (!hadDefault) emitEvent(rt, "customer.updated", customer, { default_source: null });
        return stored.bankAccount;
      },
    },
    {
      method: "GET",
      pattern: "/v1/customers/:customer/sources",
      handler: ({ params, path }) => {
        requireCustomer(rt, path.customer!, "customer");
        const object = params.string("object");
        if (object !== undefined && object !== "bank_account") {
          // Only bank accounts exist in the sandbox: other source types list empty.
          const empty = paginate<Stripe.BankAccount>([], params, `/v1/customers/${path.customer}/sources`);
          params.finish();
          return empty;
        }
        const list = customerSources(rt, path.customer!, params);
        params.finish();
        return list;
      },
    },
    retrieveRoute("/v1/customers/:customer/sources/:id", (path) => {
      requireCustomer(rt, path.customer!, "customer");
      return requireCustomerBankAccount(rt, path.customer!, path.id!).bankAccount;
    }),
    {
      method: "POST",
      pattern: "/v1/customers/:customer/sources/:id",
      handler: ({ params, path }) => {
        const customer = requireCustomer(rt, path.customer!, "customer");
        const stored = requireCustomerBankAccount(rt, customer.id, path.id!);
        const holderName = params.string("account_holder_name");
        const holderType = params.enumeration("account_holder_type", ["individual", "company"] as const);
        const metadata = params.metadata();
        params.finish();
        const previous = structuredClone(stored.bankAccount);
        if (holderName !== undefined) stored.bankAccount.account_holder_name = holderName;
        if (holderType !== undefined) stored.bankAccount.account_holder_type = holderType;
        stored.bankAccount.metadata = mergeMetadata(stored.bankAccount.metadata ?? {}, metadata);
        rt.changed();
        emitEvent(rt, "customer.source.updated", stored.bankAccount, previous);
        return stored.bankAccount;
      },
    },
    {
      method: "POST",
      pattern: "/v1/customers/:customer/sources/:id/verify",
      handler: ({ params, path }) => {
        const customer = requireCustomer(rt, path.customer!, "customer");
        const stored = requireCustomerBankAccount(rt, customer.id, path.id!);
        const amounts = params.stringList("amounts");
        params.finish();
        if (stored.bankAccount.status === "verified")
          throw invalidRequest("This bank account has already been verified.", { code: "bank_account_verification_failed" });
        if (!amounts || amounts.length !== 2) throw invalidRequest("You must provide exactly two amounts.", { param: "amounts" });
        const ok = amounts.map(Number).every((a, i) => a === TEST_MICRODEPOSIT_AMOUNTS[i]);
        if (!ok) {
          throw invalidRequest("The amounts provided do not match the amounts that were sent to the bank account.", {
            param: "amounts",
            code: "bank_account_verification_failed",
          });
        }
        stored.bankAccount.status = "verified";
        rt.changed();
        emitEvent(rt, "customer.source.updated", stored.bankAccount, { status: "new" });
        return stored.bankAccount;
      },
    },
    {
      method: "DELETE",
      pattern: "/v1/customers/:customer/sources/:id",
      handler: ({ params, path }) => {
        params.finish();
        const customer = requireCustomer(rt, path.customer!, "customer");
        const stored = requireCustomerBankAccount(rt, customer.id, path.id!);
        const detached = structuredClone(stored.bankAccount);
        stored.bankAccount.customer = null;
        if (customer.default_source === stored.bankAccount.id) {
          customer.default_source = customerSources(rt, customer.id).data[0]?.id ?? null;
        }
        rt.changed();
        // A detached payment method can no longer be debited under its mandate.
        if (stored.mandate) deactivateMandate(rt, stored.mandate);
        emitEvent(rt, "customer.source.deleted", detached);
        const deleted: Stripe.DeletedBankAccount = { id: detached.id, object: "bank_account", currency: detached.currency, deleted: true };
        return deleted;
      },
    },
    retrieveRoute("/v1/payment_methods/:id", (path) => {
      const view = paymentMethodView(rt, path.id!);
      if (!view) throw resourceMissing("PaymentMethod", path.id!, "payment_method");
      return view;
    }),
  ];
}
