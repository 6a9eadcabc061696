/**
 * link-initialize.js of the Plaid Link stand-in: runs in the app's page and
 * defines `window.Plaid` like Plaid's CDN script does. Each `Plaid.create`
 * preloads a hidden, full-viewport iframe (id `plaid-link-iframe-<n>`,
 * title "Plaid Link") from the sandbox; `open()` shows it. The iframe reports
 * events, exit and success by postMessage; both sides check origin and source.
 *
 * It also inserts an inert placeholder `<script type="text/plain"
 * src="https://cdn.plaid.com/link/v2/stable/link-initialize.js">` so that
 * react-plaid-link's useScript({ checkForExisting: true }) treats Plaid's
 * script as loaded and never adds (and fetches) it. A non-JavaScript type is
 * never fetched nor run by the browser.
 */
import {
  MESSAGE_SOURCE,
  type FrameMessage,
  type MessageBody,
  type LinkErrorObject,
  type LinkEventMetadata,
  type LinkExitMetadata,
  type ParentMessage,
} from "./protocol.js";

/** Supplied by the sandbox when it serves this script (the origin the request reached). */
declare const __SANDBOX_ORIGIN__: string;

const CDN_URL = "https://cdn.plaid.com/link/v2/stable/link-initialize.js";

interface CreateOptions {
  token?: string | null;
  onSuccess?: (publicToken: string, metadata: Record<string, unknown>) => void;
  onExit?: (error: LinkErrorObject | null, metadata: LinkExitMetadata) => void;
  onEvent?: (eventName: string, metadata: LinkEventMetadata) => void;
  onLoad?: () => void;
  receivedRedirectUri?: string | null;
  [key: string]: unknown;
}

interface Handler {
  open(): void;
  exit(options?: { force?: boolean }): void;
  destroy(): void;
  submit(data?: unknown): void;
}

interface StandIn {
  version: string;
  standIn: true;
  create(options: CreateOptions): Handler;
  createEmbedded(options: CreateOptions, target: HTMLElement): { destroy(): void };
}

/** Not `Window`: react-plaid-link's global `Window.Plaid` type may be in the same program. */
interface PlaidWindow {
  Plaid?: StandIn;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (event: MessageEvent) => void): void;
}

function sandboxOrigin(): string {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.src) {
    try {
      return new URL(current.src).origin;
    } catch {
      // fall through
    }
  }
  return __SANDBOX_ORIGIN__;
}

function ensurePlaceholder(): void {
  if (document.querySelector(`script[src="${CDN_URL}"]`)) return;
  const placeholder = document.createElement("script");
  // Type first: an element with a non-JavaScript type is never fetched, even once connected.
  placeholder.type = "text/plain";
  placeholder.setAttribute("data-plaid-link-stand-in", "placeholder");
  placeholder.setAttribute("src", CDN_URL);
  (document.head ?? document.documentElement).appendChild(placeholder);
}

function randomId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function callSafely(label: string, fn: (() => void) | undefined): void {
  if (!fn) return;
  try {
    fn();
  } catch (err) {
    // Like Plaid's script: an exception in the app's callback must not break Link.
    console.error(`[plaid-link-stand-in] ${label} threw`, err);
  }
}

function install(win: PlaidWindow): void {
  if (win.Plaid?.standIn) return;
  const origin = sandboxOrigin();
  let counter = 0;

  function create(options: CreateOptions): Handler {
    const id = ++counter;
    const channel = randomId();
    const iframe = document.createElement("iframe");
    iframe.id = `plaid-link-iframe-${id}`;
    iframe.title = "Plaid Link";
    iframe.setAttribute("width", "100%");
    iframe.setAttribute("height", "100%");
    iframe.setAttribute(
      "style",
      "position:fixed;top:0;left:0;right:0;bottom:0;width:100%;height:100%;z-index:2147483647;border:0;margin:0;padding:0;display:none;background:transparent;color-scheme:normal;",
    );
    const params = new URLSearchParams({ token: options.token ?? "", origin: location.origin, channel });
    if (options.receivedRedirectUri) params.set("receivedRedirectUri", options.receivedRedirectUri);
    iframe.src = `${origin}/link/ui?${params.toString()}`;

    let loaded = false;
    let pendingOpen = false;
    let isOpen = false;
    let destroyed = false;
    let previousFocus: Element | null = null;

    const post = (message: MessageBody<ParentMessage>): void => {
      iframe.contentWindow?.postMessage({ ...message, source: MESSAGE_SOURCE, channel }, origin);
    };

    const hide = (): void => {
      iframe.style.display = "none";
      const wasOpen = isOpen;
      isOpen = false;
      if (wasOpen && previousFocus instanceof HTMLElement && previousFocus.isConnected) previousFocus.focus();
      previousFocus = null;
    };

    const onMessage = (event: MessageEvent): void => {
      if (event.origin !== origin || event.source !== iframe.contentWindow) return;
      const message = event.data as FrameMessage | null;
      if (!message || typeof message !== "object" || message.source !== MESSAGE_SOURCE || message.channel !== channel) return;
      switch (message.type) {
        case "loaded":
          loaded = true;
          callSafely("onLoad", options.onLoad);
          if (pendingOpen) {
            pendingOpen = false;
            post({ type: "open" });
          }
          break;
        case "event":
          callSafely("onEvent", options.onEvent && (() => options.onEvent!(message.eventName, message.metadata)));
          break;
        case "exit":
          hide();
          callSafely("onExit", options.onExit && (() => options.onExit!(message.error, message.metadata)));
          break;
        case "success":
          hide();
          callSafely("onSuccess", options.onSuccess && (() => options.onSuccess!(message.publicToken, message.metadata)));
          break;
        case "oauth_redirect":
          // Only to the sandbox's own bank page (its origin is the iframe's).
          if (typeof message.url === "string" && new URL(message.url, origin).origin === origin) {
            window.location.assign(new URL(message.url, origin).toString());
          }
          break;
      }
    };
    win.addEventListener("message", onMessage);

    const attach = (): void => {
      if (!destroyed && !iframe.isConnected) document.body.appendChild(iframe);
    };
    if (document.body) attach();
    else document.addEventListener("DOMContentLoaded", attach, { once: true });

    return {
      open() {
        if (destroyed) return;
        attach();
        if (!isOpen) previousFocus = document.activeElement;
        isOpen = true;
        iframe.style.display = "block";
        iframe.focus();
        if (loaded) post({ type: "open" });
        else pendingOpen = true;
      },
      exit(exitOptions) {
        if (destroyed) return;
        const force = Boolean(exitOptions?.force);
        if (!loaded && pendingOpen) {
          // Closed before the iframe finished loading: nothing happened in Link yet.
          pendingOpen = false;
          hide();
          callSafely(
            "onExit",
            options.onExit && (() => options.onExit!(null, { institution: null, status: null, link_session_id: "", request_id: "" })),
          );
          return;
        }
        if (loaded) post({ type: "exit", force });
      },
      destroy() {
        if (destroyed) return;
        destroyed = true;
        win.removeEventListener("message", onMessage);
        hide();
        iframe.remove();
      },
      submit(data) {
        if (!destroyed && loaded) post({ type: "submit", data });
      },
    };
  }

  function createEmbedded(options: CreateOptions, target: HTMLElement): { destroy(): void } {
    // Embedded Link is not emulated: a button in the target opens the regular modal.
    const handler = create(options);
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Connect your bank account";
    button.addEventListener("click", () => handler.open());
    target.appendChild(button);
    return {
      destroy() {
        button.remove();
        handler.destroy();
      },
    };
  }

  win.Plaid = { version: "local-sandbox-stand-in", standIn: true, create, createEmbedded };
}

ensurePlaceholder();
install(window as unknown as PlaidWindow);
