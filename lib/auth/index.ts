import "server-only";
export {
  getCurrentUser,
  getSessionActor,
  getSessionState,
  redirectToSignIn,
  requireUser,
  requireAdmin,
  type SessionState,
} from "./session";
export type { Actor } from "./actor";
export { getAuthOptions } from "./options";
export { AuthError } from "./errors";
