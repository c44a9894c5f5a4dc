import semver from 'semver';

/**
 * Version strings. A version is any string the publisher chooses (semver is recommended, not required),
 * except `latest` and anything that reads like a range. Ordering follows the official registry's
 * `CompareVersions`, which decides which version is "latest".
 */

// The official registry's four range detectors (internal/validators/validators.go), unchanged.
const COMPARATOR_RANGE = /^\s*(?:\^|~|>=|<=|>|<|=)\s*v?\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z.-]+)?\s*$/;
const HYPHEN_RANGE =
  /^\s*v?\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z.-]+)?\s-\s*v?\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z.-]+)?\s*$/;
const OR_RANGE =
  /^\s*(?:v?\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z.-]+)?\s*)(?:\|\|\s*v?\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z.-]+)?\s*)+$/;
const DOTTED_WILDCARD = /^\s*(?:v?\d+|x|X|\*)(?:\.(?:\d+|x|X|\*)){1,2}(?:-[0-9A-Za-z.-]+)?\s*$/;

/** True for `^1.2.3`, `~1.2`, `>=1.0.0`, `1.2.3 - 2.0.0`, `1.2 || 1.3`, `1.x`, `1.2.*` and the like. */
export function isRangeLike(version: string): boolean {
  const trimmed = version.trim();
  if (trimmed === '') return false;
  if (COMPARATOR_RANGE.test(trimmed) || HYPHEN_RANGE.test(trimmed) || OR_RANGE.test(trimmed)) return true;
  // A dotted version only reads as a range when it actually contains a wildcard part.
  return DOTTED_WILDCARD.test(trimmed) && /[xX*]/.test(trimmed);
}

/** The version without its optional leading `v`, when it is strict semver with three numeric parts. */
function semverCore(version: string): string | undefined {
  const bare = version.startsWith('v') ? version.slice(1) : version;
  // The semver package trims whitespace and tolerates a second `v`/`=`; Go's x/mod/semver (which the
  // official registry uses) does not, so only a string that starts with a digit is handed over.
  if (!/^\d/.test(bare) || /\s/.test(bare)) return undefined;
  return semver.valid(bare) ?? undefined;
}

/**
 * Strict semver 2.0 with exactly three numeric core parts, no leading zeros, prerelease and build
 * allowed, optional leading `v`. `2025.11.25` is semver; `2025.06.18` is not (leading zero).
 */
export function isSemver(version: string): boolean {
  return semverCore(version) !== undefined;
}

/**
 * Orders two versions the way the official registry picks "latest": both semver → semver precedence
 * (build metadata ignored); neither → the later `publishedAt` wins; one of each → the semver one wins.
 * Returns <0, 0 or >0 like a sort comparator.
 */
export function compareVersions(a: string, b: string, publishedAtA: Date, publishedAtB: Date): number {
  const coreA = semverCore(a);
  const coreB = semverCore(b);
  if (coreA !== undefined && coreB !== undefined) return semver.compare(coreA, coreB);
  if (coreA !== undefined) return 1;
  if (coreB !== undefined) return -1;
  return Math.sign(publishedAtA.getTime() - publishedAtB.getTime());
}

/**
 * The candidate that {@link compareVersions} ranks highest. On a tie (e.g. `1.0.0+a` vs `1.0.0+b`) the
 * earlier-published one wins, as in the official registry where a new version takes over "latest" only
 * when it compares strictly greater.
 */
export function pickLatest<T extends { version: string; publishedAt: Date }>(candidates: T[]): T | undefined {
  let best: T | undefined;
  for (const candidate of candidates) {
    if (best === undefined) {
      best = candidate;
      continue;
    }
    const order = compareVersions(candidate.version, best.version, candidate.publishedAt, best.publishedAt);
    if (order > 0 || (order === 0 && candidate.publishedAt.getTime() < best.publishedAt.getTime())) {
      best = candidate;
    }
  }
  return best;
}

/** What the latest rule needs to know about a stored version. */
export interface LatestCandidate {
  version: string;
  publishedAt: Date;
  status: string;
}

/**
 * The official rule since registry#1081: latest is the highest non-deleted version by
 * {@link compareVersions}; if every version is deleted, the highest deleted one keeps the flag.
 * Exactly one row carries it.
 */
export function chooseLatest<T extends LatestCandidate>(versions: readonly T[]): T | undefined {
  const live = versions.filter((v) => v.status !== 'deleted');
  return pickLatest(live.length > 0 ? live : [...versions]);
}

/**
 * Whether a version published at `now` takes the flag from the current latest: when there is none,
 * when the current one is deleted (then every version is), or when it compares strictly greater.
 */
export function becomesLatest(version: string, current: LatestCandidate | undefined, now: Date): boolean {
  return (
    !current ||
    current.status === 'deleted' ||
    compareVersions(version, current.version, now, current.publishedAt) > 0
  );
}
