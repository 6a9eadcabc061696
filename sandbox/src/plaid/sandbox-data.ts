/**
 * Plaid Sandbox fixtures as Plaid documents them: test institutions, the
 * default accounts of `user_good`, their auth numbers and identity.
 */
import type { AccountNumbersRecord, OwnerRecord } from "./state.js";

export interface SandboxInstitution {
  institution_id: string;
  name: string;
  products: string[];
  country_codes: string[];
  routing_numbers: string[];
  oauth: boolean;
  url: string | null;
  primary_color: string | null;
  /** Health shown by /institutions/get_by_id (include_status) and used by Link. */
  health: "HEALTHY" | "DEGRADED" | "DOWN";
  /** Error every login at this institution fails with (down / unsupported institutions). */
  login_error: string | null;
}

const STANDARD_PRODUCTS = ["assets", "auth", "balance", "identity", "investments", "liabilities", "transactions", "signal", "statements"];

function institution(id: string, name: string, extra: Partial<SandboxInstitution> = {}): SandboxInstitution {
  return {
    institution_id: id,
    name,
    products: STANDARD_PRODUCTS,
    country_codes: ["US"],
    routing_numbers: ["011401533", "021000021"],
    oauth: false,
    url: "https://plaid.com",
    primary_color: "#1f1f1f",
    health: "HEALTHY",
    login_error: null,
    ...extra,
  };
}

export const SANDBOX_INSTITUTIONS: SandboxInstitution[] = [
  institution("ins_109508", "First Platypus Bank"),
  institution("ins_109509", "First Gingham Credit Union"),
  institution("ins_109510", "Tattersall Federal Credit Union"),
  institution("ins_109511", "Tartan Bank"),
  institution("ins_109512", "Houndstooth Bank"),
  institution("ins_127287", "Platypus OAuth Bank", { oauth: true }),
  institution("ins_132363", "Unhealthy Platypus Bank - Degraded", { health: "DEGRADED" }),
  institution("ins_132361", "Unhealthy Platypus Bank - Down", { health: "DOWN", login_error: "INSTITUTION_DOWN" }),
  // Not confirmed which code Plaid returns for ins_133402; INSTITUTION_NO_LONGER_SUPPORTED is the closest documented one.
  institution("ins_133402", "Unsupported Platypus Bank - Institution Not Supported", {
    products: [],
    login_error: "INSTITUTION_NO_LONGER_SUPPORTED",
  }),
];

export function findInstitution(id: string): SandboxInstitution | undefined {
  return SANDBOX_INSTITUTIONS.find((i) => i.institution_id === id);
}

export const DEFAULT_ROUTING = "011401533";
export const DEFAULT_WIRE_ROUTING = "021000021";

export const DEFAULT_OWNER: OwnerRecord = {
  names: ["Alberta Bobbeth Charleson"],
  phone_numbers: [
    { data: "+1 111-555-3333", primary: false, type: "home" },
    { data: "+1 111-555-4444", primary: false, type: "work" },
    { data: "+1 111-555-5555", primary: false, type: "mobile" },
  ],
  emails: [
    { data: "accountholder0@example.com", primary: true, type: "primary" },
    { data: "accountholder1@example.com", primary: false, type: "secondary" },
    { data: "extraordinarily.long.email.username.123456@reallylonghostname.com", primary: false, type: "other" },
  ],
  addresses: [
    { data: { city: "Malakoff", country: "US", postal_code: "14236", region: "NY", street: "2992 Cameron Road" }, primary: true },
    { data: { city: "San Matias", country: "US", postal_code: "93405-2255", region: "CA", street: "2493 Leisure Lane" }, primary: false },
  ],
};

/** An account before it belongs to an item (no account_id yet). */
export interface AccountSeed {
  /** Stable key of the account within the login (`acct-<index>`): Link's account selection refers to it before account ids exist. */
  key: string;
  name: string;
  official_name: string | null;
  mask: string | null;
  type: string;
  subtype: string | null;
  available: number | null;
  current: number | null;
  limit: number | null;
  iso_currency_code: string | null;
  numbers: AccountNumbersRecord | null;
  owners: OwnerRecord[];
}

function seed(
  name: string,
  official_name: string,
  mask: string,
  type: string,
  subtype: string,
  available: number | null,
  current: number | null,
  limit: number | null = null,
  withNumbers = false,
): AccountSeed {
  return {
    key: "",
    name,
    official_name,
    mask,
    type,
    subtype,
    available,
    current,
    limit,
    iso_currency_code: "USD",
    numbers: withNumbers ? defaultNumbers(`111122223333${mask}`) : null,
    owners: [DEFAULT_OWNER],
  };
}

/** Stripe's success test bank account, what Plaid Sandbox hands Stripe for its default numbers. */
export const STRIPE_SUCCESS_ACCOUNT = { account: "000123456789", routing: "110000000" };

export function defaultNumbers(account: string): AccountNumbersRecord {
  return { account, routing: DEFAULT_ROUTING, wire_routing: DEFAULT_WIRE_ROUTING, stripe: { ...STRIPE_SUCCESS_ACCOUNT } };
}

/** The accounts of `user_good` (Plaid's documented sandbox balances). */
export function defaultAccountSeeds(): AccountSeed[] {
  return [
    seed("Plaid Checking", "Plaid Gold Standard 0% Interest Checking", "0000", "depository", "checking", 100, 110, null, true),
    seed("Plaid Saving", "Plaid Silver Standard 0.1% Interest Saving", "1111", "depository", "savings", 200, 210, null, true),
    seed("Plaid CD", "Plaid Bronze Standard 0.2% Interest CD", "2222", "depository", "cd", null, 1000),
    seed("Plaid Credit Card", "Plaid Diamond 12.5% APR Interest Credit Card", "3333", "credit", "credit card", null, 410, 2000),
    seed("Plaid Money Market", "Plaid Platinum Standard 1.85% Interest Money Market", "4444", "depository", "money market", 43200, 43200),
    seed("Plaid IRA", "", "5555", "investment", "ira", null, 320.76),
    seed("Plaid 401k", "", "6666", "investment", "401k", null, 23631.9805),
    seed("Plaid Student Loan", "", "7777", "loan", "student", null, 65262),
    seed("Plaid Mortgage", "", "8888", "loan", "mortgage", null, 56302.06),
    seed("Plaid HSA", "Plaid Cares Health Savings Account", "9001", "depository", "hsa", 6009, 6009),
    seed("Plaid Cash Management", "Plaid Growth Cash Management", "9002", "depository", "cash management", 12060, 12060, null, true),
    seed("Plaid Business Credit Card", "Plaid Platinum Small Business Credit Card", "9999", "credit", "credit card", 5000, 5020, 10000),
  ].map((a, i) => ({ ...a, key: `acct-${i}`, official_name: a.official_name === "" ? null : a.official_name }));
}

/** Subtypes eligible for Auth (and so for processor / Stripe tokens). */
export const AUTH_SUBTYPES = ["checking", "savings", "cash management"];

export function isAuthEligible(account: { type: string; subtype: string | null }): boolean {
  return account.type === "depository" && account.subtype !== null && AUTH_SUBTYPES.includes(account.subtype);
}

/** Products Plaid reports as available on a sandbox item besides the billed ones. */
export const ITEM_AVAILABLE_PRODUCTS = ["assets", "balance", "identity", "investments", "liabilities", "signal", "transactions"];
