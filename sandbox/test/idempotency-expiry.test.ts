import { afterEach, describe, expect, it, vi } from "vitest";
import { IdempotencyLayer, type ExecutionResult, type IdempotencyRecord } from "../src/stripe/idempotency.js";
import type { StripeRuntime } from "../src/stripe/state.js";

const HOUR = 60 * 60 * 1000;

/** The layer over a bare runtime: only the state's idempotency records and the change signal. */
function layer() {
  const rt = { state: { idempotency: {} as Record<string, IdempotencyRecord> }, changed: () => {} };
  let executions = 0;
  const idem = new IdempotencyLayer(rt as unknown as StripeRuntime);
  const post = (key: string) =>
    idem.run(key, "POST", "/v1/customers", { email: "a@example.com" }, async (): Promise<ExecutionResult> => {
      executions += 1;
      return { response: { status: 200, headers: {}, body: Buffer.from(`{"n":${executions}}`) }, save: true };
    });
  return { rt, post, executions: () => executions };
}

describe("idempotency keys expire after 24 hours, oldest first", () => {
  afterEach(() => vi.useRealTimers());

  it("replays a key for 24 hours, then runs it again; expired records are dropped from the state", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(0);
    const { rt, post, executions } = layer();
    await post("k1");
    vi.setSystemTime(1 * HOUR);
    await post("k2");
    vi.setSystemTime(2 * HOUR);
    await post("k3");
    expect(executions()).toBe(3);

    vi.setSystemTime(24 * HOUR + 30 * 60 * 1000); // k1 is past 24 h, k2 and k3 are not
    expect((await post("k2")).headers?.["Idempotent-Replayed"]).toBe("true");
    expect(Object.keys(rt.state.idempotency)).toEqual(["k2", "k3"]);
    expect(executions()).toBe(3);
    const again = await post("k1");
    expect(again.headers?.["Idempotent-Replayed"]).toBeUndefined();
    expect(executions()).toBe(4);

    vi.setSystemTime(26 * HOUR + 1);
    await post("k4");
    expect(Object.keys(rt.state.idempotency)).toEqual(["k1", "k4"]);
  });

  it("follows a replaced state (reset or load): keys of the new state are replayed and expire", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(10 * HOUR);
    const { rt, post, executions } = layer();
    await post("old");
    const loaded: Record<string, IdempotencyRecord> = {
      b: {
        method: "POST",
        path: "/v1/customers",
        fingerprint: '{"email":"a@example.com"}',
        createdAt: 9 * HOUR,
        status: 200,
        headers: {},
        body: "{}",
      },
      a: {
        method: "POST",
        path: "/v1/customers",
        fingerprint: '{"email":"a@example.com"}',
        createdAt: 1 * HOUR,
        status: 200,
        headers: {},
        body: "{}",
      },
    };
    rt.state.idempotency = loaded;
    expect((await post("b")).headers?.["Idempotent-Replayed"]).toBe("true");
    vi.setSystemTime(25 * HOUR + 1); // a (1 h) expired, b (9 h) not
    expect((await post("b")).headers?.["Idempotent-Replayed"]).toBe("true");
    expect(Object.keys(rt.state.idempotency)).toEqual(["b"]);
    expect(executions()).toBe(1);
  });
});
