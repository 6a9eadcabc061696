"use client";

import { useState, type FormEvent } from "react";
import type { ApiErrorBody, ApiResult } from "@/components/funding/api";

/**
 * The state every small account form shares: pending while the request is
 * on its way, the answer's field errors under their fields, anything else
 * as the form's alert. `fieldFor` may place an error with a code under a
 * field (a wrong current password). On success the form stays pending when
 * `onSuccess` navigates away (it returns "leaving").
 */
export function useApiForm<T>(options: {
  send: (form: FormData) => Promise<ApiResult<T>>;
  onSuccess: (data: T, form: HTMLFormElement) => "leaving" | void;
  fieldFor?: (error: ApiErrorBody) => string | undefined;
}) {
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    setPending(true);
    setError(undefined);
    setFields({});
    const res = await options.send(new FormData(formElement));
    if (res.ok) {
      if (options.onSuccess(res.data, formElement) !== "leaving") setPending(false);
      return;
    }
    setPending(false);
    const field = options.fieldFor?.(res.error);
    if (field) setFields({ [field]: res.error.fields?.[field] ?? res.error.message });
    else if (res.error.fields) setFields(res.error.fields);
    else setError(res.error.message);
  }

  return { fields, error, pending, onSubmit };
}
