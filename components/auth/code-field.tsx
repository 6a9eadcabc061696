import { Field } from "@/components/ui/field";

/**
 * The one input for a second-factor code: six digits from the app, or a
 * recovery code when `recovery` is set. One-time-code autocomplete lets
 * phones and password managers fill it.
 */
export function CodeField({ id, recovery = false, error }: { id: string; recovery?: boolean; error?: string }) {
  return (
    <Field
      id={id}
      name="code"
      label={recovery ? "Recovery code" : "6-digit code from your authenticator app"}
      autoComplete="one-time-code"
      inputMode={recovery ? "text" : "numeric"}
      placeholder={recovery ? "xxxx-xxxx-xxxx-xxxx" : "123456"}
      maxLength={recovery ? 32 : 7}
      required
      autoFocus
      error={error}
    />
  );
}
