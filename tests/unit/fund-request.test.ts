import { webcrypto } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";

// The hook is called once, outside React: a ref is a plain box and state is ignored, which is all it needs.
vi.mock("react", () => ({ useRef: <T>(current: T) => ({ current }), useState: <T>(value: T) => [value, () => {}] }));

const { afterAnswer, attemptFor, newRequestId, outcomeUnknown, useFundRequest } = await import("@/components/funding/use-fund-request");

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const body = (amountCents: number, bankAccountId = "ba_1") => ({ bankAccountId, amountCents });

describe("request-id policy", () => {
  it.each([
    [0, true], // no answer at all
    [500, true],
    [502, true],
    [503, true],
    [400, false],
    [401, false],
    [409, false],
    [422, false],
    [429, false],
    [499, false],
  ])("status %d: outcome unknown %s", (status, unknown) => {
    expect(outcomeUnknown(status)).toBe(unknown);
  });

  it.each([
    ["no attempt yet", null, body(2_500), "new"],
    ["same account and amount", { requestId: "old", key: "ba_1:2500" }, body(2_500), "old"],
    ["another amount", { requestId: "old", key: "ba_1:2500" }, body(2_600), "new"],
    ["another account", { requestId: "old", key: "ba_1:2500" }, body(2_500, "ba_2"), "new"],
  ])("%s → request id %s", (_, current, next, requestId) => {
    expect(attemptFor(current, next, () => "new").requestId).toBe(requestId);
  });

  it.each([
    [{ ok: true, status: 201 }, "dropped"],
    [{ ok: false, status: 422 }, "dropped"],
    [{ ok: false, status: 409 }, "dropped"],
    [{ ok: false, status: 0 }, "kept"],
    [{ ok: false, status: 502 }, "kept"],
  ])("answer %o → attempt %s", (res, fate) => {
    const attempt = { requestId: "id", key: "ba_1:2500" };
    expect(afterAnswer(attempt, res)).toBe(fate === "kept" ? attempt : null);
  });

  it("new ids are v4 UUIDs, also without crypto.randomUUID (plain-http LAN testing)", () => {
    expect(newRequestId()).toMatch(UUID_V4);
    const getRandomValues = vi.fn((a: Uint8Array) => webcrypto.getRandomValues(a));
    vi.stubGlobal("crypto", { getRandomValues });
    const ids = [newRequestId(), newRequestId()];
    vi.unstubAllGlobals();
    expect(getRandomValues).toHaveBeenCalledTimes(2);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(ids[0]).not.toBe(ids[1]);
  });
});

describe("useFundRequest", () => {
  afterEach(() => vi.unstubAllGlobals());

  /** A fetch answering with the given statuses in turn (0: the connection drops); records the request ids sent. */
  function server(statuses: number[]) {
    const sent: string[] = [];
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
      sent.push((JSON.parse(init.body as string) as { requestId: string }).requestId);
      const status = statuses.shift()!;
      if (status === 0) throw new TypeError("Failed to fetch");
      return new Response(JSON.stringify(status < 400 ? { payment: {} } : { error: { message: "no" } }), { status });
    });
    return sent;
  }

  it("re-sends an unanswered transfer (no answer, then 502) with its id; a new transfer gets a new id", async () => {
    const sent = server([0, 502, 201, 201, 422, 201]);
    const { send } = useFundRequest();
    for (const amount of [2_500, 2_500, 2_500, 2_500, 1_000, 1_000]) await send(() => body(amount));
    const [first, retry1, retry2, afterSuccess, other, afterRefusal] = sent;
    expect([retry1, retry2]).toEqual([first, first]);
    expect(afterSuccess).not.toBe(first);
    expect(other).not.toBe(afterSuccess);
    expect(afterRefusal).not.toBe(other);
    expect(new Set(sent).size).toBe(4);
  });

  it("a second submission while the first is on its way sends nothing and runs no checks", async () => {
    const sent = server([201, 201]);
    const { send } = useFundRequest();
    const prepare = vi.fn(() => body(2_500));
    const [first, second] = await Promise.all([send(prepare), send(prepare)]);
    expect(first).toMatchObject({ ok: true, status: 201 });
    expect(second).toBeNull();
    expect(prepare).toHaveBeenCalledTimes(1);
    expect(sent).toHaveLength(1);
    // Once answered, the form can send again.
    await send(prepare);
    expect(sent).toHaveLength(2);
  });

  it("an invalid form sends nothing", async () => {
    const sent = server([]);
    expect(await useFundRequest().send(() => null)).toBeNull();
    expect(sent).toHaveLength(0);
  });
});
