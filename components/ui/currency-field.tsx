import type { InputHTMLAttributes, Ref } from "react";

/**
 * A labelled US-dollar amount input ("$" prefix) with a hint and an error,
 * both wired to the input for screen readers. The error line keeps its
 * height so the form does not jump when a message appears.
 */
export function CurrencyField({
  label,
  hint,
  error,
  id,
  ref,
  ...props
}: Omit<InputHTMLAttributes<HTMLInputElement>, "type"> & {
  label: string;
  id: string;
  hint?: string;
  error?: string;
  ref?: Ref<HTMLInputElement>;
}) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <div className="relative">
        <span aria-hidden="true" className="pointer-events-none absolute inset-y-0 left-0 flex items-center pl-3 text-sm text-slate-500">
          $
        </span>
        <input
          ref={ref}
          id={id}
          type="text"
          inputMode="decimal"
          autoComplete="off"
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          className="block w-full rounded-md border border-slate-300 bg-white py-2 pr-3 pl-7 text-sm shadow-sm focus:border-brand-600 aria-invalid:border-red-500 disabled:bg-slate-100"
          {...props}
        />
      </div>
      {hint ? (
        <p id={hintId} className="text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      <p id={errorId} className="min-h-5 text-sm text-red-700">
        {error ?? ""}
      </p>
    </div>
  );
}
