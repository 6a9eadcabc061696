/**
 * Messages between the Link stand-in's parent script (link-initialize.js, in
 * the app's page) and its iframe (/link/ui, on the sandbox's origin). Both
 * sides check `event.origin` and `event.source`, and every message carries
 * the channel id the parent put in the iframe URL.
 */

export interface LinkErrorObject {
  error_type: string;
  error_code: string;
  error_message: string;
  display_message: string | null;
}

export interface LinkInstitution {
  name: string;
  institution_id: string;
}

export interface LinkExitMetadata {
  institution: LinkInstitution | null;
  status: string | null;
  link_session_id: string;
  request_id: string;
}

export interface LinkEventMetadata {
  account_number_mask: string | null;
  brand_name: string | null;
  error_type: string | null;
  error_code: string | null;
  error_message: string | null;
  exit_status: string | null;
  institution_id: string | null;
  institution_name: string | null;
  institution_search_query: string | null;
  is_update_mode: string | null;
  match_reason: string | null;
  mfa_type: string | null;
  routing_number: string | null;
  view_name: string | null;
  selection: string | null;
  timestamp: string;
  link_session_id: string;
  request_id: string;
}

/** Parent → iframe. */
export type ParentMessage =
  | { source: "plaid-link-stand-in"; channel: string; type: "open" }
  | { source: "plaid-link-stand-in"; channel: string; type: "exit"; force: boolean }
  | { source: "plaid-link-stand-in"; channel: string; type: "submit"; data: unknown };

/** Iframe → parent. */
export type FrameMessage =
  | { source: "plaid-link-stand-in"; channel: string; type: "loaded" }
  | { source: "plaid-link-stand-in"; channel: string; type: "event"; eventName: string; metadata: LinkEventMetadata }
  | { source: "plaid-link-stand-in"; channel: string; type: "exit"; error: LinkErrorObject | null; metadata: LinkExitMetadata }
  | { source: "plaid-link-stand-in"; channel: string; type: "success"; publicToken: string; metadata: Record<string, unknown> }
  /** OAuth bank: the app's page goes to the bank's login (a sandbox page); the bank sends it back to redirect_uri. */
  | { source: "plaid-link-stand-in"; channel: string; type: "oauth_redirect"; url: string };

export const MESSAGE_SOURCE = "plaid-link-stand-in";

/** A message without its envelope (source, channel), one per message type. */
export type MessageBody<M> = M extends unknown ? Omit<M, "source" | "channel"> : never;
