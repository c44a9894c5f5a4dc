import { MAX_VERSION_LENGTH } from '../../limits.js';
import { isRangeLike } from '../../versions.js';
import { codePointLength } from '../guards.js';
import { hasLoneSurrogate } from '../limits.js';
import { type RuleIssue, semanticError } from '../types.js';

/** C0 and C1 control characters and DEL: they cannot appear in a URL path or a log line as they are. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Why a version can never be addressed by a route, or undefined: the one rule publish applies and
 * every `…/versions/{version}` route applies again, so what publish accepts every route can reach
 * (blank, control characters, invalid Unicode, more than MAX_VERSION_LENGTH code points).
 */
export function unaddressableVersion(version: string): { reference: string; message: string } | undefined {
  if (version.trim() === '') {
    return { reference: 'version-required', message: 'version must not be empty or whitespace' };
  }
  if (CONTROL.test(version)) {
    return { reference: 'version-characters', message: 'version must not contain control characters' };
  }
  if (hasLoneSurrogate(version)) {
    return {
      reference: 'version-characters',
      message: 'version must be valid Unicode (no unpaired surrogates)',
    };
  }
  if (codePointLength(version) > MAX_VERSION_LENGTH) {
    return {
      reference: 'version-length',
      message: `version must be at most ${MAX_VERSION_LENGTH} characters`,
    };
  }
  return undefined;
}

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
  const unaddressable = unaddressableVersion(version);
  if (unaddressable !== undefined) {
    const { reference, message } = unaddressable;
    issues.push(semanticError(path, reference, message, reference === 'version-length'));
  }
  if (isRangeLike(version)) {
    issues.push(
      semanticError(
        path,
        'version-range',
        `version must be a specific version, not a range: ${JSON.stringify(version)}`,
      ),
    );
  }
  return issues;
}
