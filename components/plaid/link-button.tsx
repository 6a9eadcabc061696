"use client";

import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { usePlaidLink, type PlaidLinkOnEvent, type PlaidLinkOnExit, type PlaidLinkOnSuccess } from "react-plaid-link";
import { buttonClass } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { useToast } from "@/components/ui/toast";
import { api } from "@/components/funding/api";
import { saveLinkSession } from "./link-storage";
import { useLinkHandlers, type LinkHandlerOptions } from "./use-link-handlers";

const LOAD_TIMEOUT_MS = 20_000;

interface LinkSessionProps {
  token: string;
  receivedRedirectUri?: string;
  handlers: { onSuccess: PlaidLinkOnSuccess; onExit: PlaidLinkOnExit; onEvent: PlaidLinkOnEvent };
  /** Called right before Link opens. */
  onOpen?: () => void;
  onLoadError?: () => void;
}

/**
 * One Link handler for one link token: opens Link as soon as it is ready.
 * Rendered with `key={token}`, so every new token gets a fresh handler (and
 * the previous one is destroyed by react-plaid-link on unmount).
 */
export function LinkSession({ token, receivedRedirectUri, handlers, onOpen, onLoadError }: LinkSessionProps) {
  const { open, ready, error } = usePlaidLink({
    token,
    ...(receivedRedirectUri ? { receivedRedirectUri } : {}),
    onSuccess: handlers.onSuccess,
    onExit: handlers.onExit,
    onEvent: handlers.onEvent,
  });
  const opened = useRef(false);
  const callbacks = useRef({ onOpen, onLoadError });
  useLayoutEffect(() => {
    callbacks.current = { onOpen, onLoadError };
  });

  useEffect(() => {
    if (!ready || opened.current) return;
    opened.current = true;
    callbacks.current.onOpen?.();
    open();
  }, [ready, open]);

  useEffect(() => {
    if (error) callbacks.current.onLoadError?.();
  }, [error]);

  // react-plaid-link never reports a Plaid script that loaded without defining window.Plaid: give up after a while.
  useEffect(() => {
    const timer = setTimeout(() => {
      if (!opened.current) callbacks.current.onLoadError?.();
    }, LOAD_TIMEOUT_MS);
    return () => clearTimeout(timer);
  }, []);

  return null;
}

/**
 * Starting Link on demand: fetches a link token (update mode for `itemId`),
 * opens Link once it is ready, then saves the chosen account or the
 * reconnection. Render `session` somewhere that stays mounted while Link is
 * open.
 */
export function useLinkLauncher({ itemId, onFinished }: { itemId?: string; onFinished?: LinkHandlerOptions["onFinished"] }) {
  const toast = useToast();
  const [token, setToken] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [open, setOpen] = useState(false);
  const busy = useRef(false);
  const invalidTokenRetries = useRef(0);
  const target = itemId ? { itemId } : {};

  const reset = () => {
    busy.current = false;
    setOpen(false);
    setStarting(false);
  };

  async function start(): Promise<void> {
    if (busy.current) return;
    busy.current = true;
    setStarting(true);
    const res = await api<{ linkToken: string }>("POST", "/api/plaid/link-token", itemId ? { itemId } : {});
    if (!res.ok || !res.data?.linkToken) {
      reset();
      toast("error", res.ok ? "We couldn't start the bank connection. Please try again." : res.error.message);
      return;
    }
    setToken(res.data.linkToken);
  }

  const { handlers, saving } = useLinkHandlers({
    target,
    onFinished: (outcome) => {
      reset();
      invalidTokenRetries.current = 0;
      onFinished?.(outcome);
    },
    onInvalidToken: () => {
      // The token expired or was refused: get a new one and re-open Link, once.
      reset();
      if (invalidTokenRetries.current++ < 1) {
        void start();
      } else {
        invalidTokenRetries.current = 0;
        toast("error", "Your bank connection session expired. Please try again.");
        onFinished?.("failed");
      }
    },
  });

  const session = token ? (
    <LinkSession
      key={token}
      token={token}
      handlers={handlers}
      onOpen={() => {
        saveLinkSession({ token, ...target });
        setOpen(true);
        setStarting(false);
      }}
      onLoadError={() => {
        reset();
        toast("error", "We couldn't load Plaid. Check your connection and try again.");
      }}
    />
  ) : null;

  return { start, starting: starting && !open, open, saving, pending: starting || open || saving, session };
}

type Variant = "primary" | "secondary" | "danger";

/** A button that opens Plaid Link (new link, or update mode for `itemId`). */
export function LinkButton({
  children,
  itemId,
  variant = "primary",
  className = "",
  disabled = false,
  onFinished,
}: {
  children: ReactNode;
  itemId?: string;
  variant?: Variant;
  className?: string;
  disabled?: boolean;
  onFinished?: LinkHandlerOptions["onFinished"];
}) {
  const link = useLinkLauncher({ itemId, onFinished });
  const { pending } = link;
  const label = link.saving ? "Saving…" : link.starting ? "Opening Plaid…" : children;

  return (
    <>
      <button
        type="button"
        className={`${buttonClass(variant)} ${pending || disabled ? "cursor-not-allowed opacity-70" : ""} ${className}`}
        // aria-disabled rather than disabled: focus stays on the button, so Link returns it here when it closes.
        aria-disabled={pending || disabled || undefined}
        aria-busy={pending || undefined}
        onClick={() => {
          if (pending || disabled) return;
          void link.start();
        }}
      >
        {pending ? <Spinner /> : null}
        {label}
      </button>
      {link.session}
    </>
  );
}
