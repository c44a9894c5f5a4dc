import { arrayField, isRecord, type JsonObject, stringField } from '../guards.js';
import { fieldPath, indexPath } from '../paths.js';
import { type RuleIssue, semanticError } from '../types.js';

/** The argument lists of a package, each checked by {@link checkArgument}. */
export const ARGUMENT_LISTS = ['runtimeArguments', 'packageArguments'] as const;

export function checkArguments(pkg: JsonObject, path: string): RuleIssue[] {
  return ARGUMENT_LISTS.flatMap((list) =>
    arrayField(pkg, list).flatMap((arg, i) =>
      isRecord(arg) ? checkArgument(arg, indexPath(fieldPath(path, list), i)) : [],
    ),
  );
}

/**
 * Named arguments: the name is just the flag (`--port`), not a usage string like `--port <n>`, and the
 * value/default hold only the value. A value starting with the flag (`--port=8080`) would make clients
 * pass the flag twice.
 */
function checkArgument(arg: JsonObject, path: string): RuleIssue[] {
  if (arg.type !== 'named') return [];
  const name = stringField(arg, 'name');
  if (name === undefined || name === '') {
    return [semanticError(fieldPath(path, 'name'), 'argument-name', 'named argument name is required', true)];
  }
  const issues: RuleIssue[] = [];
  if (/[<> $]/.test(name)) {
    issues.push(
      semanticError(
        fieldPath(path, 'name'),
        'argument-name',
        `invalid named argument name format: ${name} (must be the flag only, without '<', '>', ' ' or '$')`,
      ),
    );
  }
  for (const field of ['value', 'default'] as const) {
    const value = stringField(arg, field);
    if (value !== undefined && value !== '' && value.startsWith(name)) {
      issues.push(
        semanticError(
          fieldPath(path, field),
          'argument-value-prefix',
          `argument ${field} cannot start with the argument name '${name}': ${value}`,
        ),
      );
    }
  }
  return issues;
}
