import { describe, expect, it, vi } from "vitest";

// The admin detail pages read their [id] from the URL: a NUL byte or a lone surrogate
// is a 404 before any query (the database would fail on it: a 500).
const queried = vi.hoisted(() => ({ count: 0 }));
vi.mock("@/lib/auth", () => ({ requireAdmin: async () => ({ id: "admin", role: "ADMIN" }) }));
vi.mock("@/lib/db", () => ({
  getDb: () => {
    queried.count++;
    throw new Error('Invalid `prisma.user.findUnique()` invocation: invalid byte sequence for encoding "UTF8": 0x00');
  },
}));

const PAGES = {
  "/admin/users/[id]": () => import("@/app/(admin)/admin/users/[id]/page"),
  "/admin/payments/[id]": () => import("@/app/(admin)/admin/payments/[id]/page"),
  "/admin/bank-accounts/[id]": () => import("@/app/(admin)/admin/bank-accounts/[id]/page"),
};

describe.each(Object.entries(PAGES))("%s", (_name, load) => {
  it.each(["x\u0000y", "\u0000", "x\ud800"])("answers %j with the 404 page, without a query", async (id) => {
    const { default: Page } = await load();
    queried.count = 0;
    const err = await (Page as (p: { params: Promise<{ id: string }> }) => Promise<unknown>)({ params: Promise.resolve({ id }) }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as { digest?: string } | null)?.digest).toBe("NEXT_HTTP_ERROR_FALLBACK;404");
    expect(queried.count).toBe(0);
  });
});
