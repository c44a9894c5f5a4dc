import { AppError } from '../core/errors.js';

/**
 * The CLI's errors. Each carries a `kind` (core/errors.ts): `usage` for a command line or an input
 * file the operator must fix, `failed` for a check that did not pass; the exit code derives from it.
 */

/** A wrong command line: unknown option value, missing argument. */
export class UsageError extends AppError {
  constructor(message: string) {
    super('usage', message);
  }
}

/** An import file that cannot be read or is not a JSON array of server.json documents. */
export class ImportFileError extends AppError {
  constructor(message: string) {
    super('usage', message);
  }
}
