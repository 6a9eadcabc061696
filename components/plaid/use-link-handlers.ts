"use client";

import { useLayoutEffect, useRef, useState } from "react";
import type { PlaidLinkError, PlaidLinkOnEvent, PlaidLinkOnExit, PlaidLinkOnSuccess } from "react-plaid-link";
import type { BankAccountView } from "@/lib/funding/views";
import { bankLabel } from "@/lib/format";
import { api, beacon } from "@/components/funding/api";
import { useToast } from "@/components/ui/toast";
import { clearLinkSession, type StoredLinkSession } from "./link-storage";

export type LinkTarget = Omit<StoredLinkSession, "token">;

export interface LinkHandlerOptions {
  target: LinkTarget;
  /** After a link or reconnect was saved (or failed): refresh what the page shows. */
  onFinished?: (outcome: "linked" | "reconnected" | "failed" | "exited") => void;
  /** Link said the token is invalid or expired (INVALID_LINK_TOKEN). */
  onInvalidToken?: () => void;
}

/** What a person reads when Link ends with an error: Plaid's display_message when it has one. */
export function linkErrorMessage(error: PlaidLinkError): string {
  if (error.display_message) return error.display_message;
  switch (error.error_code) {
    case "INVALID_LINK_TOKEN":
      return "Your bank connection session expired. Please try again.";
    case "ITEM_NOT_FOUND":
      return "This bank connection no longer exists. Remove the bank and link it again.";
    case "INVALID_CREDENTIALS":
      return "The username or password was not accepted by your bank.";
    case "INSTITUTION_DOWN":
    case "INSTITUTION_NOT_RESPONDING":
      return "Your bank is not responding right now. Please try again later.";
    default:
      return `We couldn't connect your bank (${error.error_code}). Please try again.`;
  }
}

/**
 * Link's callbacks for react-plaid-link. usePlaidLink keeps the callbacks it
 * was created with, so these are stable functions (created once) reading the
 * latest options through a ref, updated after each render.
 */
export function useLinkHandlers(options: LinkHandlerOptions) {
  const toast = useToast();
  const [saving, setSaving] = useState(false);
  const latest = useRef({ options, toast });
  useLayoutEffect(() => {
    latest.current = { options, toast };
  });

  const [handlers] = useState<{ onSuccess: PlaidLinkOnSuccess; onExit: PlaidLinkOnExit; onEvent: PlaidLinkOnEvent }>(() => ({
    onSuccess: (publicToken, metadata) => {
      const { options: opts, toast: notify } = latest.current;
      const { itemId } = opts.target;
      clearLinkSession();
      setSaving(true);
      void (async () => {
        try {
          if (itemId) {
            const res = await api<{ bankAccounts: BankAccountView[] }>(
              "POST",
              `/api/plaid/items/${encodeURIComponent(itemId)}/reconnected`,
              {},
            );
            if (!res.ok) {
              notify("error", res.error.message);
              opts.onFinished?.("failed");
              return;
            }
            notify("success", `Reconnected ${metadata.institution?.name ?? "your bank"}.`);
            opts.onFinished?.("reconnected");
            return;
          }
          const body = {
            publicToken,
            accountId: metadata.accounts[0]?.id ?? "",
            linkSessionId: metadata.link_session_id,
            accountCount: metadata.accounts.length,
          };
          // The server resumes a link from the same public token, so an unanswered or 5xx attempt is retried (twice, backing off).
          let res = await api<{ bankAccount: BankAccountView }>("POST", "/api/bank-accounts", body);
          for (let retry = 1; retry <= 2 && !res.ok && (res.status === 0 || res.status >= 500); retry++) {
            await new Promise((resolve) => setTimeout(resolve, 1_500 * retry));
            res = await api<{ bankAccount: BankAccountView }>("POST", "/api/bank-accounts", body);
          }
          if (!res.ok) {
            notify("error", res.error.message);
            opts.onFinished?.("failed");
            return;
          }
          notify("success", `Linked ${bankLabel(res.data.bankAccount, res.data.bankAccount.name)}.`);
          opts.onFinished?.("linked");
        } finally {
          setSaving(false);
        }
      })();
    },
    onExit: (error, metadata) => {
      const { options: opts, toast: notify } = latest.current;
      beacon("/api/plaid/link-events", { type: "exit", error: error ? pickError(error) : null, metadata: { ...metadata } });
      clearLinkSession();
      if (error?.error_code === "INVALID_LINK_TOKEN" && opts.onInvalidToken) {
        opts.onInvalidToken();
        return;
      }
      if (error) notify("error", linkErrorMessage(error));
      opts.onFinished?.("exited");
    },
    onEvent: (eventName, metadata) => {
      beacon("/api/plaid/link-events", { type: "event", eventName, metadata: { ...metadata } });
    },
  }));

  return { handlers, saving };
}

function pickError(error: PlaidLinkError): PlaidLinkError {
  return {
    error_type: error.error_type,
    error_code: error.error_code,
    error_message: error.error_message,
    display_message: error.display_message,
  };
}
