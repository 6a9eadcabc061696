import { describe, expect, it } from "vitest";
import type { ItemStatus } from "@/lib/generated/prisma/enums";
import { ITEM_TRANSITIONS, canMoveItem, moveItemStatus, type ItemMoveCause } from "@/lib/plaid/item-state";

const STATUSES: ItemStatus[] = ["LINKING", "ACTIVE", "LOGIN_REQUIRED", "PENDING_DISCONNECT", "REVOKED", "REMOVED"];
const CAUSES = [...new Set(Object.values(ITEM_TRANSITIONS).flatMap((byCause) => Object.keys(byCause)))];

/** Every (from, to, cause) the table allows. */
const allowed = STATUSES.flatMap((from) =>
  STATUSES.flatMap((to) => CAUSES.filter((cause) => canMoveItem(from, to, cause)).map((cause) => ({ from, to, cause }))),
);

describe("the item transition table", () => {
  it("never moves an item out of REMOVED, back to LINKING, or to the status it has", () => {
    expect(allowed.filter((m) => m.from === "REMOVED" || m.to === "LINKING" || m.from === m.to)).toEqual([]);
  });

  it("REVOKED only leads to REMOVED: no cause reactivates it", () => {
    expect([...new Set(allowed.filter((m) => m.from === "REVOKED").map((m) => m.to))]).toEqual(["REMOVED"]);
    for (const cause of CAUSES) expect(canMoveItem("REVOKED", "ACTIVE", cause)).toBe(false);
  });

  it("ACTIVE: the user's reconnect and Plaid's LOGIN_REPAIRED from LOGIN_REQUIRED or PENDING_DISCONNECT; the link flow from LINKING", () => {
    const toActive = (cause: string) => STATUSES.filter((from) => canMoveItem(from, "ACTIVE", cause));
    expect(toActive("reconnected")).toEqual(["LOGIN_REQUIRED", "PENDING_DISCONNECT"]);
    expect(toActive("login_repaired")).toEqual(["LOGIN_REQUIRED", "PENDING_DISCONNECT"]);
    expect(toActive("link_completed")).toEqual(["LINKING"]);
  });

  it("LOGIN_REQUIRED from the balance check or the webhook, never for a revoked or removed item", () => {
    for (const cause of ["balance_check", "login_required"]) {
      expect(STATUSES.filter((from) => canMoveItem(from, "LOGIN_REQUIRED", cause))).toEqual(["LINKING", "ACTIVE", "PENDING_DISCONNECT"]);
    }
  });

  it("a cause only moves to its own target", () => {
    expect(canMoveItem("LOGIN_REQUIRED", "REMOVED", "reconnected")).toBe(false);
    expect(canMoveItem("ACTIVE", "REVOKED", "balance_check")).toBe(false);
    expect(canMoveItem("ACTIVE", "REMOVED", "no_such_cause")).toBe(false);
  });

  it("types each target's causes (checked by tsc)", () => {
    const causes: ItemMoveCause<"LOGIN_REQUIRED">[] = ["balance_check", "login_required"];
    expect(causes).toHaveLength(2);
    // Never called: only the compiler's verdict matters.
    const typed = () => {
      // @ts-expect-error reconnecting does not move an item to LOGIN_REQUIRED
      void moveItemStatus(null!, "item", "LOGIN_REQUIRED", { cause: "reconnected" });
      // @ts-expect-error nothing moves an item to LINKING
      void moveItemStatus(null!, "item", "LINKING", { cause: "link_completed" });
    };
    expect(typed).toBeTypeOf("function");
  });
});
