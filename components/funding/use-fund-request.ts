"use client";

import { useRef, useState } from "react";
import type { PaymentView } from "@/lib/funding/views";
import { api, type ApiResult } from "./api";

/** What POST /api/payments takes besides the request id. */
export interface FundBody {
  bankAccountId: string;
  amountCents: number;
  mandate?: { accepted: true; textVersion: string };
}

export type FundResult = ApiResult<{ payment: PaymentView }>;

/** The transfer being attempted: its request id and what it moves (account and amount). */
export interface Attempt {
  requestId: string;
  key: string;
}

/** No answer, or the bank/processor was unreachable: the debit may or may not have started. */
export function outcomeUnknown(status: number): boolean {
  return status === 0 || status >= 500;
}

/** Same transfer as the unanswered attempt → same request id; anything else is a new transfer. */
export function attemptFor(current: Attempt | null, body: FundBody, newId: () => string): Attempt {
  const key = `${body.bankAccountId}:${body.amountCents}`;
  return current && current.key === key ? current : { requestId: newId(), key };
}

/**
 * The attempt to keep once an answer arrives: kept while the outcome is
 * unknown, since sending the same id again is safe and cannot debit twice;
 * dropped after a definite answer, so the next submission is a new transfer.
 */
export function afterAnswer(attempt: Attempt, res: { ok: boolean; status: number }): Attempt | null {
  return !res.ok && outcomeUnknown(res.status) ? attempt : null;
}

/** A v4 UUID; crypto.randomUUID needs a secure context, so plain-http LAN testing falls back to getRandomValues. */
export function newRequestId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Sends funding requests with one `requestId` per transfer, reused for every
 * re-send of the same transfer (double click, Enter twice, retry after a 502
 * or a dropped connection) until an answer settles it, so the server starts
 * at most one debit.
 */
export function useFundRequest(): { pending: boolean; send: (prepare: () => FundBody | null) => Promise<FundResult | null> } {
  const [pending, setPending] = useState(false);
  const inFlight = useRef(false);
  const attempt = useRef<Attempt | null>(null);

  /**
   * Builds the body with `prepare` (the form's checks; null when invalid) and
   * posts it. Null when nothing was sent: invalid, or already sending this
   * transfer, where a second click must not become a second debit (checked
   * before `prepare`, so that click changes nothing on screen either).
   */
  async function send(prepare: () => FundBody | null): Promise<FundResult | null> {
    if (inFlight.current) return null;
    const body = prepare();
    if (!body) return null;
    const current = attemptFor(attempt.current, body, newRequestId);
    attempt.current = current;
    inFlight.current = true;
    setPending(true);
    const res = await api<{ payment: PaymentView }>("POST", "/api/payments", { requestId: current.requestId, ...body });
    inFlight.current = false;
    setPending(false);
    attempt.current = afterAnswer(current, res);
    return res;
  }

  return { pending, send };
}
