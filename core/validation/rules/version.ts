import { isRangeLike } from '../../versions.js';
import { codePointLength } from '../guards.js';
import { type RuleIssue, semanticError } from '../types.js';

const MAX_VERSION_LENGTH = 255;

/** Checks shared by the server version and every package version. */
export function checkVersionString(path: string, version: string): RuleIssue[] {
  if (version === 'latest') {
    // Mirrors the package schema's `not: {const: "latest"}`; the top-level version has no such clause.
    return [
      semanticError(path, 'version-reserved', "version string 'latest' is reserved and cannot be used", true),
    ];
  }
  if (version.trim() === '') {
    // Also a database invariant: a blank version could never be addressed in a URL.
    return [semanticError(path, 'version-required', 'version must not be empty or whitespace', true)];
  }
  const issues: RuleIssue[] = [];
  if (isRangeLike(version)) {
    issues.push(
      semanticError(
        path,
        'version-range',
        `version must be a specific version, not a range: ${JSON.stringify(version)}`,
      ),
    );
  }
  if (codePointLength(version) > MAX_VERSION_LENGTH) {
    issues.push(
      semanticError(path, 'version-length', `version must be at most ${MAX_VERSION_LENGTH} characters`, true),
    );
  }
  return issues;
}
