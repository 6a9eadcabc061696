/**
 * The Link session the person started, kept in sessionStorage just before
 * Link opens: after an OAuth bank's redirect, /oauth-return re-opens Link
 * with the SAME link token and `receivedRedirectUri` (Plaid's OAuth pattern).
 */
export interface StoredLinkSession {
  token: string;
  /** Update mode for this Plaid item (Reconnect). */
  itemId?: string;
}

const KEY = "fundwell.plaid.link";

export function saveLinkSession(session: StoredLinkSession): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(session));
  } catch {
    // Private mode or storage full: only OAuth banks lose the ability to resume.
  }
}

export function loadLinkSession(): StoredLinkSession | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<StoredLinkSession>;
    if (typeof value.token !== "string" || !value.token) return null;
    return {
      token: value.token,
      ...(typeof value.itemId === "string" ? { itemId: value.itemId } : {}),
    };
  } catch {
    return null;
  }
}

export function clearLinkSession(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing to clear.
  }
}
