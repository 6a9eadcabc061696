"use client";

import { useRouter } from "next/navigation";
import { TwoFactorForm } from "./two-factor-form";

/** The sign-in's code step: on to where the person was going once the code is accepted. */
export function TwoFactorStep({ callbackUrl }: { callbackUrl: string }) {
  const router = useRouter();
  return (
    <TwoFactorForm
      onVerified={() => {
        router.replace(callbackUrl);
        router.refresh();
        return "leaving";
      }}
    />
  );
}
