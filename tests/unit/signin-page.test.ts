import { renderToStaticMarkup } from "react-dom/server";
import { beforeEach, describe, expect, it, vi } from "vitest";

// The page as Next renders it on the server: the session and the configuration are the only things stubbed.
const session = vi.hoisted(() => ({ user: null as null | { id: string } }));
vi.mock("@/lib/auth", () => ({
  getSessionState: async () => (session.user ? { kind: "signed-in", user: session.user, secondFactorAt: null } : { kind: "none" }),
}));
vi.mock("@/lib/config", () => ({ getConfig: () => ({ appUrl: "http://localhost:3000" }) }));
vi.mock("next/navigation", async (importOriginal) => ({
  ...(await importOriginal<typeof import("next/navigation")>()),
  useRouter: () => ({ replace: () => undefined, refresh: () => undefined }),
}));

const { default: SignInPage } = await import("@/app/(auth)/signin/page");

const render = async (params: { callbackUrl?: string; error?: string }) =>
  renderToStaticMarkup(await SignInPage({ searchParams: Promise.resolve(params) }));

/** Where the page's redirect() sends the browser (Next's 307 Location). */
async function redirectedTo(params: { callbackUrl?: string }): Promise<string> {
  const err = await SignInPage({ searchParams: Promise.resolve(params) }).then(
    () => null,
    (e: unknown) => e,
  );
  const digest = (err as { digest?: string } | null)?.digest ?? "";
  const match = /^NEXT_REDIRECT;(?:push|replace);(.*);307;$/s.exec(digest);
  if (!match) throw new Error(`no redirect: ${String(err)}`);
  return match[1]!;
}

describe("/signin for a signed-in visitor: the 307", () => {
  beforeEach(() => {
    session.user = { id: "u1" };
  });

  it.each([
    "/\t/evil.example",
    "/%09/evil.example",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example/",
    "/\r\n/evil.example",
    "javascript:alert(1)",
  ])("sends %j to the dashboard", async (callbackUrl) => {
    expect(await redirectedTo({ callbackUrl })).toBe("/dashboard");
  });

  it("keeps a same-origin destination, as a path", async () => {
    expect(await redirectedTo({ callbackUrl: "/admin/users?page=2" })).toBe("/admin/users?page=2");
    expect(await redirectedTo({ callbackUrl: "http://localhost:3000/admin" })).toBe("/admin");
    expect(await redirectedTo({})).toBe("/dashboard");
  });
});

describe("/signin?error=…: only fixed messages", () => {
  beforeEach(() => {
    session.user = null;
  });

  it("never shows text from the URL", async () => {
    const phishing = "Your account is locked. Call +1 555 0100 to unlock it.";
    const html = await render({ error: phishing });
    expect(html).not.toContain("555 0100");
    expect(html).not.toContain("locked");
    expect(html).toContain('role="alert"');
  });

  it("shows the fixed message for a known code", async () => {
    expect(await render({ error: "CredentialsSignin" })).toContain("Invalid email or password.");
    expect(await render({ error: "disabled" })).toContain("This account has been disabled.");
  });

  it("shows no alert without an error", async () => {
    expect(await render({})).not.toContain('role="alert"');
  });

  it("does not put a foreign callbackUrl into the form", async () => {
    const html = await render({ callbackUrl: "//evil.example" });
    expect(html).not.toContain("evil.example");
  });
});
