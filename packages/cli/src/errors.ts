/** A command-line error: printed as one line, exit status 2. */
export class UsageError extends Error {}
