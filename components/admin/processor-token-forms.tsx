"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { sendAdminChange } from "./step-up";

/** Create a processor token: choose the partner from Plaid's list. */
export function CreateProcessorTokenForm({ bankAccountId, processors }: { bankAccountId: string; processors: string[] }) {
  const router = useRouter();
  const id = useId();
  const [processor, setProcessor] = useState(processors[0] ?? "");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      onSubmit={async (e) => {
        e.preventDefault();
        setPending(true);
        const err = await sendAdminChange(`/api/admin/bank-accounts/${bankAccountId}/processor-tokens`, "POST", { processor });
        setPending(false);
        setError(err);
        if (!err) router.refresh();
      }}
    >
      <div className="space-y-1">
        <label htmlFor={id} className="block text-sm font-medium text-slate-700">
          Processor
        </label>
        <select
          id={id}
          value={processor}
          onChange={(e) => setProcessor(e.target.value)}
          className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
        >
          {processors.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </div>
      <Button type="submit" disabled={pending}>
        {pending ? "Creating…" : "Create processor token"}
      </Button>
      {error ? (
        <p role="alert" className="w-full text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </form>
  );
}

/** View and set a processor token's product permissions. */
export function PermissionsForm({
  processorTokenId,
  products,
  current,
}: {
  processorTokenId: string;
  products: string[];
  current: string[] | null;
}) {
  const router = useRouter();
  const [chosen, setChosen] = useState<Set<string>>(new Set(current ?? []));
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [pending, setPending] = useState(false);
  return (
    <form
      className="space-y-3"
      onSubmit={async (e) => {
        e.preventDefault();
        setPending(true);
        setSaved(false);
        const err = await sendAdminChange(`/api/admin/processor-tokens/${processorTokenId}/permissions`, "PUT", { products: [...chosen] });
        setPending(false);
        setError(err);
        setSaved(!err);
        if (!err) router.refresh();
      }}
    >
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">
          Products this processor may use (none checked = all it is allowed by default)
        </legend>
        <div className="mt-2 grid grid-cols-2 gap-1 sm:grid-cols-4">
          {products.map((p) => (
            <label key={p} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={chosen.has(p)}
                onChange={(e) => {
                  const next = new Set(chosen);
                  if (e.target.checked) next.add(p);
                  else next.delete(p);
                  setChosen(next);
                }}
              />
              {p}
            </label>
          ))}
        </div>
      </fieldset>
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Saving…" : "Save permissions"}
      </Button>
      {error ? (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {saved ? (
        <p role="status" className="text-sm text-slate-600">
          Permissions saved.
        </p>
      ) : null}
    </form>
  );
}
