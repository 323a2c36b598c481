/**
 * The program's named errors. Only `main.ts` turns them into exit codes:
 * {@linkcode UsageError} and {@linkcode ConfigError} exit 2, everything
 * else 1. Messages are one line, start with a capital, and name the input.
 *
 * @module
 */

/** A bad command line: unknown flag, missing or malformed value. Exit 2. */
export class UsageError extends Error {
  /** Creates the error; `message` is shown to the user as is. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

/** A bad configuration file or value. Exit 2. */
export class ConfigError extends Error {
  /** Creates the error; `message` is shown to the user as is. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
  }
}

/**
 * A failure at run time that is not a programming error: a port already in
 * use, every seed refusing. Shown as one line, exit 1.
 */
export class RuntimeError extends Error {
  /** Creates the error; `message` is shown to the user as is. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RuntimeError";
  }
}

/** Formats any thrown value as one short line, for logs. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0] ?? error.name;
  return String(error);
}
