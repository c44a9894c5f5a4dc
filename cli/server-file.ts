import { readFileSync } from 'node:fs';
import { ClientError } from '../client/errors.js';
import type { ValidationResult } from '../core/validation/types.js';
import type { Output } from './output.js';

/**
 * The publisher's server.json: read strictly (UTF-8 without a byte-order mark, one JSON document),
 * validated offline with the registry's own rules, and the issues printed as the official `issues`
 * list. `validate`, `publish` and `init` share it.
 */
export const DEFAULT_SERVER_FILE = 'server.json';

export function readServerFile(file: string): unknown {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ClientError(
      code === 'ENOENT'
        ? `${file} not found (mcp-registry init writes one)`
        : `cannot read ${file}: ${code ?? (err as Error).message}`,
      'usage',
    );
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new ClientError(`${file} starts with a byte-order mark; save it as UTF-8 without BOM`, 'usage');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ClientError(`${file} is not UTF-8 text`, 'usage');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ClientError(`${file} is not valid JSON: ${(err as Error).message}`, 'usage');
  }
}

/** The same validation the server runs before a publish (loaded only when a command validates). */
export async function validateLocally(document: unknown): Promise<ValidationResult> {
  const { createServerJsonValidator } = await import('../core/validation/validator.js');
  return createServerJsonValidator().validate(document);
}

/** One line per issue: severity, path, message, reference (the official list's fields). */
export function printIssues(out: Output, file: string, result: ValidationResult): void {
  for (const issue of result.issues) {
    out.info(
      `  ${issue.severity.padEnd(7)} ${issue.path || '(document)'}: ${issue.message}  [${issue.reference}]`,
    );
  }
  const errors = result.issues.filter((i) => i.severity === 'error').length;
  const others = result.issues.length - errors;
  if (result.valid) {
    out.success(`${file} is valid${others ? ` (${others} warning${others === 1 ? '' : 's'})` : ''}`);
  } else {
    out.info(
      `${file}: ${errors} error${errors === 1 ? '' : 's'}${others ? `, ${others} other issue${others === 1 ? '' : 's'}` : ''}`,
    );
  }
}
