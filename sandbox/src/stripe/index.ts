import type { SandboxContext, SandboxModule } from "../core/context.js";

export function createStripeModule(_context: SandboxContext): SandboxModule {
  return {
    name: "stripe",
    route() {
      return undefined;
    },
  };
}
