import type { SandboxContext, SandboxModule } from "../core/context.js";

export function createLinkModule(_context: SandboxContext): SandboxModule {
  return {
    name: "link",
    route() {
      return undefined;
    },
  };
}
