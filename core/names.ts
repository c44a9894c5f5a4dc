/**
 * Server names: `<namespace>/<name>`, e.g. `io.github.alice/weather`. Pure helpers shared by the
 * validator, the API's path parameters and the store.
 */

/**
 * The strict form the official registry enforces semantically and in its database (the JSON Schema
 * pattern is looser): each side starts and ends with a letter or digit, and there is exactly one `/`.
 */
export const SERVER_NAME_PATTERN =
  /^[a-zA-Z0-9][a-zA-Z0-9.-]*[a-zA-Z0-9]\/[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$/;

export const SERVER_NAME_MIN_LENGTH = 3;
export const SERVER_NAME_MAX_LENGTH = 200;

const NAMESPACE_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9.-]*[a-zA-Z0-9]$/;
const NAME_PART_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$/;

export function isValidServerName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length >= SERVER_NAME_MIN_LENGTH &&
    name.length <= SERVER_NAME_MAX_LENGTH &&
    SERVER_NAME_PATTERN.test(name)
  );
}

/**
 * Explains why `name` is not a valid server name (wording follows the official registry), or returns
 * undefined when it is valid. Length is reported separately by {@link isValidServerName}'s bounds.
 */
export function describeServerNameProblem(name: string): string | undefined {
  if (name === '') return 'server name is required and must be a string';
  if (!name.includes('/')) {
    return "server name must be in format 'dns-namespace/name' (e.g., 'com.example.api/server')";
  }
  if (name.indexOf('/') !== name.lastIndexOf('/')) return 'server name cannot contain multiple slashes';
  const slash = name.indexOf('/');
  const namespace = name.slice(0, slash);
  const part = name.slice(slash + 1);
  if (namespace === '' || part === '') {
    return "server name must be in format 'dns-namespace/name' with non-empty namespace and name parts";
  }
  if (!NAMESPACE_PATTERN.test(namespace)) {
    return (
      `server name format is invalid: namespace '${namespace}' is invalid. Namespace must start and end ` +
      'with alphanumeric characters, and may contain dots and hyphens in the middle'
    );
  }
  if (!NAME_PART_PATTERN.test(part)) {
    return (
      `server name format is invalid: name '${part}' is invalid. Name must start and end with ` +
      'alphanumeric characters, and may contain dots, underscores, and hyphens in the middle'
    );
  }
  return undefined;
}

/**
 * The key under which a name is unique. Names keep their case and match case-sensitively, but two names
 * that differ only in letter case would look identical to users, so the store refuses the second one.
 */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

/** The part before the `/` (the whole string when there is none), e.g. `io.github.alice`. */
export function namespaceOf(name: string): string {
  const slash = name.indexOf('/');
  return slash === -1 ? name : name.slice(0, slash);
}

/**
 * True when `name` lies in `namespace` or one of its sub-namespaces: `com.example` holds
 * `com.example/weather` and `com.example.api/weather`, not `com.example2/weather`.
 */
export function isInNamespace(namespace: string, name: string): boolean {
  return isSubNamespace(namespace, name.slice(0, Math.max(0, name.indexOf('/'))));
}

/** True when `ns` is `namespace` itself or one of its sub-namespaces (`com.example.api` in `com.example`). */
export function isSubNamespace(namespace: string, ns: string): boolean {
  return ns === namespace || ns.startsWith(`${namespace}.`);
}
