import "server-only";
export { getCurrentUser, getSessionActor, getSessionState, redirectToSignIn, requireUser, requireAdmin } from "./session";
export type { Actor } from "./actor";
export { getAuthOptions } from "./options";
