/**
 * Plaid Sandbox test users as pure functions (no state): what a username /
 * password pair at an institution leads to. Used by /sandbox/public_token/create
 * and by the Link stand-in (credential pane, MFA pane).
 *
 * - user_good / pass_good: the default accounts.
 * - user_good / mfa_device: device MFA, code 1234.
 * - user_good / mfa_questions_<n>_<m>: n rounds of m questions; answer to
 *   question j of round i is answer_<i>_<j> (1-based).
 * - user_good / mfa_selections: one selection round, answer "Yes".
 * - user_good / error_<CODE>: the login fails with that PlaidError
 *   (e.g. error_ITEM_LOCKED, error_INVALID_CREDENTIALS, error_INSTITUTION_DOWN).
 * - user_custom / <JSON>: override_accounts[], mfa, force_error.
 */
import { plaidError, type PlaidErrorBody } from "./errors.js";
import {
  defaultAccountSeeds,
  defaultNumbers,
  DEFAULT_OWNER,
  DEFAULT_WIRE_ROUTING,
  findInstitution,
  type AccountSeed,
} from "./sandbox-data.js";
import type { OwnerRecord } from "./state.js";

export type MfaChallenge =
  | { type: "device"; round: number; rounds: number; message: string }
  | { type: "questions"; round: number; rounds: number; questions: string[] }
  | { type: "selections"; round: number; rounds: number; selections: { question: string; answers: string[] }[] };

export type CredentialOutcome =
  { kind: "ok"; accounts: AccountSeed[] } | { kind: "mfa"; challenge: MfaChallenge } | { kind: "error"; error: PlaidErrorBody };

export const SANDBOX_USERNAME = "user_good";
export const SANDBOX_PASSWORD = "pass_good";
export const CUSTOM_USERNAME = "user_custom";
export const DEVICE_CODE = "1234";

interface MfaSpec {
  type: "device" | "questions" | "selections";
  rounds: number;
  perRound: number;
}

interface Profile {
  accounts: AccountSeed[];
  mfa: MfaSpec | null;
  forceError: string | null;
}

type ProfileResult = { kind: "profile"; profile: Profile } | { kind: "error"; error: PlaidErrorBody };

function invalidCredentials(message?: string): ProfileResult {
  return { kind: "error", error: plaidError("INVALID_CREDENTIALS", message) };
}

function profileFor(username: string, password: string): ProfileResult {
  if (username === CUSTOM_USERNAME) return customProfile(password);
  if (username !== SANDBOX_USERNAME) return invalidCredentials();
  const base: Profile = { accounts: defaultAccountSeeds(), mfa: null, forceError: null };
  if (password === SANDBOX_PASSWORD) return { kind: "profile", profile: base };
  if (password === "mfa_device") return { kind: "profile", profile: { ...base, mfa: { type: "device", rounds: 1, perRound: 1 } } };
  if (password === "mfa_selections") return { kind: "profile", profile: { ...base, mfa: { type: "selections", rounds: 1, perRound: 2 } } };
  const questions = /^mfa_questions_(\d+)_(\d+)$/.exec(password);
  if (questions) {
    const rounds = Number(questions[1]);
    const perRound = Number(questions[2]);
    if (rounds < 1 || perRound < 1) return invalidCredentials();
    return { kind: "profile", profile: { ...base, mfa: { type: "questions", rounds, perRound } } };
  }
  const error = /^error_([A-Z0-9_]+)$/.exec(password);
  if (error) {
    // Unknown codes still fail (as ITEM_ERROR with that code) so any documented code can be tried.
    return { kind: "error", error: plaidError(error[1]!) };
  }
  return invalidCredentials();
}

interface CustomAccountInput {
  type?: unknown;
  subtype?: unknown;
  starting_balance?: unknown;
  force_available_balance?: unknown;
  currency?: unknown;
  meta?: { name?: unknown; official_name?: unknown; mask?: unknown; limit?: unknown };
  numbers?: { account?: unknown; ach_routing?: unknown; ach_wire_routing?: unknown };
  identity?: Partial<Record<keyof OwnerRecord, unknown>>;
}

const ACCOUNT_TYPES = ["depository", "credit", "loan", "investment", "other"];

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function customProfile(password: string): ProfileResult {
  let config: { override_accounts?: unknown; mfa?: unknown; force_error?: unknown };
  try {
    const parsed: unknown = JSON.parse(password);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
    config = parsed as typeof config;
  } catch (err) {
    return invalidCredentials(`user_custom password must be a JSON object (${err instanceof Error ? err.message : String(err)})`);
  }
  let accounts: AccountSeed[];
  if (config.override_accounts === undefined) {
    accounts = defaultAccountSeeds();
  } else if (!Array.isArray(config.override_accounts)) {
    return invalidCredentials("user_custom: override_accounts must be an array");
  } else {
    accounts = [];
    for (const [index, raw] of (config.override_accounts as CustomAccountInput[]).entries()) {
      if (typeof raw !== "object" || raw === null) return invalidCredentials(`user_custom: override_accounts[${index}] must be an object`);
      const type = str(raw.type) ?? "depository";
      if (!ACCOUNT_TYPES.includes(type)) return invalidCredentials(`user_custom: override_accounts[${index}].type ${type} is not valid`);
      const subtype = str(raw.subtype) ?? (type === "depository" ? "checking" : null);
      const current = num(raw.starting_balance) ?? 0;
      const forced = num(raw.force_available_balance);
      const numbersAccount = str(raw.numbers?.account);
      const routing = str(raw.numbers?.ach_routing);
      const defaultMask = numbersAccount ? numbersAccount.slice(-4) : String(index).padStart(4, "0");
      const mask = str(raw.meta?.mask) ?? defaultMask;
      const eligible = type === "depository";
      let numbers: AccountSeed["numbers"] = null;
      if (numbersAccount) {
        numbers = {
          account: numbersAccount,
          routing: routing ?? "011401533",
          wire_routing: str(raw.numbers?.ach_wire_routing) ?? DEFAULT_WIRE_ROUTING,
          // The override's numbers pass through to Stripe, so its test accounts (e.g. 000111111116) are reachable.
          stripe: { account: numbersAccount, routing: routing ?? "110000000" },
        };
      } else if (eligible) {
        numbers = defaultNumbers(`111122223333${mask}`);
      }
      const owner: OwnerRecord | null = raw.identity
        ? {
            names: Array.isArray(raw.identity.names) ? (raw.identity.names as string[]) : [],
            phone_numbers: Array.isArray(raw.identity.phone_numbers) ? (raw.identity.phone_numbers as OwnerRecord["phone_numbers"]) : [],
            emails: Array.isArray(raw.identity.emails) ? (raw.identity.emails as OwnerRecord["emails"]) : [],
            addresses: Array.isArray(raw.identity.addresses) ? (raw.identity.addresses as OwnerRecord["addresses"]) : [],
          }
        : null;
      const subtypeLabel = subtype ? subtype.replace(/\b\w/g, (c) => c.toUpperCase()) : "Account";
      accounts.push({
        key: `acct-${index}`,
        name: str(raw.meta?.name) ?? `Plaid ${subtypeLabel}`,
        official_name: str(raw.meta?.official_name),
        mask,
        type,
        subtype,
        available: forced ?? (type === "depository" ? current : null),
        current,
        limit: num(raw.meta?.limit),
        iso_currency_code: str(raw.currency) ?? "USD",
        numbers,
        owners: [owner ?? DEFAULT_OWNER],
      });
    }
    if (accounts.length === 0) return { kind: "error", error: plaidError("NO_ACCOUNTS") };
  }
  let mfa: MfaSpec | null = null;
  if (config.mfa !== undefined && config.mfa !== null) {
    const m = config.mfa as {
      type?: unknown;
      question_rounds?: unknown;
      questions_per_round?: unknown;
      selection_rounds?: unknown;
      selections_per_question?: unknown;
    };
    if (m.type === "device") mfa = { type: "device", rounds: 1, perRound: 1 };
    else if (m.type === "questions")
      mfa = { type: "questions", rounds: Math.max(1, num(m.question_rounds) ?? 1), perRound: Math.max(1, num(m.questions_per_round) ?? 1) };
    else if (m.type === "selections")
      mfa = {
        type: "selections",
        rounds: Math.max(1, num(m.selection_rounds) ?? 1),
        perRound: Math.max(2, num(m.selections_per_question) ?? 2),
      };
    else return invalidCredentials("user_custom: mfa.type must be device, questions or selections");
  }
  const forceError = str(config.force_error);
  return { kind: "profile", profile: { accounts, mfa, forceError } };
}

function challengeFor(mfa: MfaSpec, round: number): MfaChallenge {
  switch (mfa.type) {
    case "device":
      return { type: "device", round, rounds: mfa.rounds, message: `Enter the code sent to your device (sandbox code: ${DEVICE_CODE})` };
    case "questions":
      return {
        type: "questions",
        round,
        rounds: mfa.rounds,
        questions: Array.from({ length: mfa.perRound }, (_, j) => `Question ${round}-${j + 1} (answer: answer_${round}_${j + 1})`),
      };
    case "selections":
      return {
        type: "selections",
        round,
        rounds: mfa.rounds,
        selections: [
          mfa.rounds === 1 && mfa.perRound === 2
            ? { question: "Did you open a Plaid Checking account?", answers: ["Yes", "No"] }
            : { question: `Question ${round}`, answers: Array.from({ length: mfa.perRound }, (_, j) => `answer_${round}_${j}`) },
        ],
      };
  }
}

function expectedAnswers(mfa: MfaSpec, round: number): string[] {
  switch (mfa.type) {
    case "device":
      return [DEVICE_CODE];
    case "questions":
      return Array.from({ length: mfa.perRound }, (_, j) => `answer_${round}_${j + 1}`);
    case "selections":
      return [mfa.rounds === 1 && mfa.perRound === 2 ? "Yes" : `answer_${round}_0`];
  }
}

function afterLogin(profile: Profile): CredentialOutcome {
  if (profile.forceError) {
    return { kind: "error", error: plaidError(profile.forceError) };
  }
  return { kind: "ok", accounts: profile.accounts };
}

/** First step of a login: credentials at an institution. */
export function evaluateCredentials(institutionId: string, username: string, password: string): CredentialOutcome {
  const institution = findInstitution(institutionId);
  if (!institution) return { kind: "error", error: plaidError("INVALID_INSTITUTION") };
  if (institution.login_error) return { kind: "error", error: plaidError(institution.login_error) };
  const result = profileFor(username, password);
  if (result.kind === "error") return result;
  const { profile } = result;
  // force_error applies whether or not the user has MFA (not confirmed: Plaid may raise it after MFA).
  if (profile.forceError) return afterLogin(profile);
  if (profile.mfa) return { kind: "mfa", challenge: challengeFor(profile.mfa, 1) };
  return afterLogin(profile);
}

/**
 * Answers one MFA round. `responses` holds the answers of the current
 * challenge in order (device: [code]; questions: one per question;
 * selections: one per selection). Returns the next challenge, the accounts, or INVALID_MFA.
 */
/** One MFA round's answers, with the login they belong to. */
export interface MfaSubmission {
  institutionId: string;
  username: string;
  password: string;
  challenge: MfaChallenge;
  responses: string[];
}

export function submitMfa(input: MfaSubmission): CredentialOutcome {
  const first = evaluateCredentials(input.institutionId, input.username, input.password);
  if (first.kind !== "mfa") return first;
  const result = profileFor(input.username, input.password);
  if (result.kind === "error") return result;
  const mfa = result.profile.mfa!;
  const round = input.challenge.round;
  if (input.challenge.type !== mfa.type || round < 1 || round > mfa.rounds) {
    return { kind: "error", error: plaidError("INVALID_MFA") };
  }
  const expected = expectedAnswers(mfa, round);
  const given = input.responses.map((r) => r.trim());
  if (given.length !== expected.length || expected.some((e, i) => e !== given[i])) {
    return { kind: "error", error: plaidError("INVALID_MFA") };
  }
  if (round < mfa.rounds) return { kind: "mfa", challenge: challengeFor(mfa, round + 1) };
  return afterLogin(result.profile);
}

/**
 * Runs a whole login: credentials, then each MFA round with `mfaResponses[i]`
 * (round i+1). Returns "mfa" when rounds remain unanswered.
 */
export function runLogin(institutionId: string, username: string, password: string, mfaResponses: string[][] = []): CredentialOutcome {
  let outcome = evaluateCredentials(institutionId, username, password);
  for (const responses of mfaResponses) {
    if (outcome.kind !== "mfa") break;
    outcome = submitMfa({ institutionId, username, password, challenge: outcome.challenge, responses });
  }
  return outcome;
}

/**
 * Login without Link (/sandbox/public_token/create, /sandbox/processor_token/create):
 * MFA rounds are answered automatically, since these endpoints bypass Link
 * (not confirmed for every MFA type; it is what tests skipping Link need).
 */
export function loginBypassingMfa(institutionId: string, username: string, password: string): CredentialOutcome {
  let outcome = evaluateCredentials(institutionId, username, password);
  const result = profileFor(username, password);
  for (let guard = 0; outcome.kind === "mfa" && result.kind === "profile" && result.profile.mfa && guard < 100; guard++) {
    const responses = expectedAnswers(result.profile.mfa, outcome.challenge.round);
    outcome = submitMfa({ institutionId, username, password, challenge: outcome.challenge, responses });
  }
  return outcome;
}
