import { describe, expect, it } from "vitest";
import { canMove, statusesMovableTo } from "@/lib/funding/ledger";
import type { PaymentStatus } from "@/lib/generated/prisma/enums";

const ALL: PaymentStatus[] = ["PENDING", "PROCESSING", "SUCCEEDED", "FAILED", "CANCELED"];

// from → the statuses it may move to. Forward only; final states never move.
const MOVES: Record<PaymentStatus, PaymentStatus[]> = {
  PENDING: ["PROCESSING", "SUCCEEDED", "FAILED", "CANCELED"],
  PROCESSING: ["SUCCEEDED", "FAILED", "CANCELED"],
  SUCCEEDED: [],
  FAILED: [],
  CANCELED: [],
};

describe("the payment state machine", () => {
  const cases = ALL.flatMap((from) => ALL.map((to) => [from, to, MOVES[from].includes(to)] as const));
  it.each(cases)("%s → %s: %s", (from, to, allowed) => {
    expect(canMove(from, to)).toBe(allowed);
  });

  it.each(ALL)("statusesMovableTo(%s) is the SQL form of the same rule", (to) => {
    expect(statusesMovableTo(to).sort()).toEqual(ALL.filter((from) => MOVES[from].includes(to)).sort());
  });
});
