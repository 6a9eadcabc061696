import type { SandboxContext, SandboxModule } from "../core/context.js";

export function createPlaidModule(_context: SandboxContext): SandboxModule {
  return {
    name: "plaid",
    route() {
      return undefined;
    },
  };
}
