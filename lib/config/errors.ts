/** A configuration problem, reported as one readable line per variable; never with a stack trace. */
import "server-only";
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      ["Configuration error:", ...problems.map((p) => `  - ${p.variable}: ${p.message}`), "See .env.example for every variable."].join(
        "\n",
      ),
    );
    this.name = "ConfigError";
  }
}
