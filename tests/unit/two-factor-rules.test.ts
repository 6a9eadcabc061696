import { describe, expect, it } from "vitest";
import { checkAdminSecondFactor, checkStepUp, STEP_UP_WINDOW_MS } from "@/lib/auth/two-factor";
import { totpCode, totpStepOf, totpTimeStep } from "@/lib/auth/totp";
import { expectAppError } from "../helpers/app-error";

const SECRET = "FUNDWELLDEMOADMINTOTPSECRETKEY23";

describe("step-up", () => {
  const now = new Date("2026-12-03T12:00:00Z");
  const ago = (ms: number) => new Date(now.getTime() - ms);

  it("passes within 10 minutes of the last code, to the millisecond", () => {
    expect(() => checkStepUp(ago(0), now)).not.toThrow();
    expect(() => checkStepUp(ago(STEP_UP_WINDOW_MS), now)).not.toThrow();
  });

  it("asks again after the window, and when the session never gave a code", async () => {
    await expectAppError(() => checkStepUp(ago(STEP_UP_WINDOW_MS + 1), now), { status: 403, code: "STEP_UP_REQUIRED" });
    await expectAppError(() => checkStepUp(null, now), { status: 403, code: "STEP_UP_REQUIRED" });
  });
});

describe("admins need two-factor", () => {
  it("refuses an admin without it, and only an admin", async () => {
    await expectAppError(() => checkAdminSecondFactor({ role: "ADMIN", totpEnabledAt: null }), {
      status: 403,
      code: "TWO_FACTOR_REQUIRED",
    });
    expect(() => checkAdminSecondFactor({ role: "ADMIN", totpEnabledAt: new Date() })).not.toThrow();
    expect(() => checkAdminSecondFactor({ role: "USER", totpEnabledAt: null })).not.toThrow();
  });
});

describe("TOTP codes", () => {
  const now = new Date("2026-12-03T12:00:10Z");
  const step = totpStepOf(now);

  it("accepts the current code and one step either side, giving its step", () => {
    expect(totpTimeStep(SECRET, totpCode(SECRET, now), null, now)).toBe(step);
    expect(totpTimeStep(SECRET, totpCode(SECRET, new Date(now.getTime() - 30_000)), null, now)).toBe(step - 1);
    expect(totpTimeStep(SECRET, totpCode(SECRET, new Date(now.getTime() + 30_000)), null, now)).toBe(step + 1);
    expect(totpTimeStep(SECRET, totpCode(SECRET, new Date(now.getTime() - 90_000)), null, now)).toBeNull();
  });

  it("refuses a code for a step already used, and anything not six digits", () => {
    const code = totpCode(SECRET, now);
    expect(totpTimeStep(SECRET, code, step, now)).toBeNull();
    expect(totpTimeStep(SECRET, code, step - 1, now)).toBe(step);
    expect(totpTimeStep(SECRET, `${code.slice(0, 3)} ${code.slice(3)}`, null, now)).toBe(step);
    for (const bad of ["", "12345", "1234567", "abcdef", `${code}\u0000`]) expect(totpTimeStep(SECRET, bad, null, now)).toBeNull();
  });
});
