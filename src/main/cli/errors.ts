// The CLI's two kinds of mistakes, which index.ts prints as one line and a hint (never a stack).

/** A command line that cannot be understood (unknown command or option). */
export class UsageError extends Error {
  /** The command the line was for, when known: the hint names its help. */
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}
/** An option or argument with a wrong value. */
export class OptionError extends Error {}
