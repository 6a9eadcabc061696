/** Schema violations seen since the last check; setup.ts fails the running test on any. */
const violations: string[] = [];

export function recordViolation(message: string): void {
  violations.push(message);
}

/** The violations since the last call, emptied. */
export function takeViolations(): string[] {
  return violations.splice(0);
}
