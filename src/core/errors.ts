/**
 * The error saasplane throws for bad input: one error lists every problem found, each written
 * for the user (what is wrong, the bad value, how to fix it).
 */
export class SaaSplaneError extends Error {
  /** Every problem found, one sentence each. */
  public readonly problems: readonly string[];

  constructor(subject: string, problems: readonly string[]) {
    super(problems.length === 1
      ? `${subject}: ${problems[0]}`
      : `${subject}: ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SaaSplaneError';
    this.problems = problems;
  }
}

/** Throws a {@link SaaSplaneError} when `problems` is not empty. */
export function throwIfProblems(subject: string, problems: readonly string[]): void {
  if (problems.length > 0) {
    throw new SaaSplaneError(subject, problems);
  }
}
