/**
 * Node module resolution hook (registered by ./register.mjs): `server-only`
 * resolves with the `react-server` condition, i.e. to the package's own
 * empty module, as it does on Next's server. Every other specifier is left
 * to the next resolver (tsx's, then Node's).
 */
export async function resolve(specifier, context, nextResolve) {
  if (specifier !== "server-only") return nextResolve(specifier, context);
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, "react-server"] });
}
