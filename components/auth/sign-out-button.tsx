"use client";

export function SignOutButton() {
  return (
    <button
      type="button"
      // next-auth's client (~12 KB gzip) is loaded on click, not with every signed-in page.
      onClick={() => void import("next-auth/react").then(({ signOut }) => signOut({ callbackUrl: "/" }))}
      className="text-sm font-medium text-slate-600 hover:text-slate-900"
    >
      Sign out
    </button>
  );
}
