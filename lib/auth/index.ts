export { getCurrentUser, requireUser, requireAdmin } from "./session";
export { getAuthOptions } from "./options";
export { AuthError } from "./errors";
