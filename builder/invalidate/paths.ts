import { assertValidKey } from '../../store/types.js';

/**
 * Object keys → CloudFront invalidation paths, pure. The viewer-request function serves every key at
 * `/{key}` (and clears the query string before the cache lookup), so `/{key}` is what to invalidate;
 * when there are too many, planInvalidationPaths collapses them into prefix wildcards.
 */

/** CloudFront's longest invalidation path (Developer Guide, "Invalidation paths"). */
const MAX_PATH_LENGTH = 4000;

/**
 * Characters an invalidation path keeps as they are. The Developer Guide ("Invalidation paths"): URL-encode
 * non-ASCII characters and the characters RFC 1738 calls unsafe, and nothing else, or CloudFront will not
 * invalidate the cached file. Unsafe: space " # % < > \ ^ ` { | } ~ [ ]. So `~`, which our version
 * segments use (`~2B`), is sent as %7E: CloudFront refuses a literal `~` with InvalidArgument
 * (aws/aws-sdk#525, bep/s3deploy#46). `?` is encoded too: unencoded, it would start a query string.
 * `*` is kept: it is the wildcard (see finishPath).
 */
const KEEP = /^[!$&'()*+,\-./0-9:;=@A-Z_a-z]$/;
const encoder = new TextEncoder();

function encodePath(raw: string): string {
  let out = '/';
  for (const byte of encoder.encode(raw)) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && KEEP.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Makes an encoded path one CloudFront accepts and that covers what it names. A `*` may only end a path,
 * and an encoded `%2A` would match nothing, so a path with a `*` becomes the wildcard that stops at it
 * (`/a*b` → `/a*`). A path over 4,000 characters becomes a wildcard of its first 3,999 (never cutting a
 * `%XX`).
 */
function finishPath(path: string): string {
  const star = path.indexOf('*');
  let out = star === -1 ? path : path.slice(0, star + 1);
  if (out.length > MAX_PATH_LENGTH) {
    let cut = MAX_PATH_LENGTH - 1;
    const percent = out.lastIndexOf('%', cut - 1);
    if (percent > cut - 3) cut = percent;
    out = `${out.slice(0, cut)}*`;
  }
  return out;
}

const isWildcard = (path: string): boolean => path.endsWith('*');

/** The invalidation path of an object key: the viewer-request function serves every key at `/{key}`. */
export function toInvalidationPath(key: string): string {
  assertValidKey(key);
  return finishPath(encodePath(key));
}

interface TrieNode {
  /** The key prefix this node stands for, with a trailing `/` (the root: ''). */
  readonly prefix: string;
  readonly children: Map<string, TrieNode>;
  /** A key ends here. */
  terminal: boolean;
  /** Distinct keys at or below this node. */
  count: number;
}

/**
 * The paths to submit for `keys`: `/{key}` each, deduplicated and sorted, when there are at most
 * `maxPaths` of them with at most `maxWildcards` wildcards. Otherwise they are collapsed, by this rule:
 *
 * Start from `/*`. Repeatedly take the wildcard `/{dir}/*` that covers the fewest changed keys (ties: by
 * path) and try to replace it by its entries: each changed key directly in {dir} as itself, each
 * subdirectory holding changed keys as `/{dir}/{sub}/*`. Keep the replacement only if the whole set stays
 * within `maxPaths` paths and `maxWildcards` wildcards; refine the new wildcards the same way. Fewest keys
 * first, because a wildcard over few changed keys is the one that invalidates most needlessly, and it is
 * cheap to split. The result always covers every key, never exceeds either budget, and is `/*` when not
 * even the top-level directories fit.
 */
export function planInvalidationPaths(
  keys: readonly string[],
  budget: { maxPaths: number; maxWildcards: number },
): { paths: string[]; collapsed: boolean } {
  const exact = [...new Set(keys.map(toInvalidationPath))].sort();
  if (exact.length <= budget.maxPaths && exact.filter(isWildcard).length <= budget.maxWildcards) {
    return { paths: exact, collapsed: false };
  }

  const root: TrieNode = { prefix: '', children: new Map(), terminal: false, count: 0 };
  for (const key of new Set(keys)) {
    let node = root;
    node.count++;
    for (const segment of key.split('/')) {
      let child = node.children.get(segment);
      if (!child) {
        child = { prefix: `${node.prefix}${segment}/`, children: new Map(), terminal: false, count: 0 };
        node.children.set(segment, child);
      }
      child.count++;
      node = child;
    }
    node.terminal = true;
  }

  const wildcardOf = (node: TrieNode): string =>
    node === root ? '/*' : finishPath(`${encodePath(node.prefix.slice(0, -1))}/*`);
  /** What replaces a node's wildcard: its own keys exactly, its subdirectories as wildcards. */
  const entriesOf = (node: TrieNode): Map<string, TrieNode | undefined> => {
    const entries = new Map<string, TrieNode | undefined>();
    for (const child of node.children.values()) {
      if (child.terminal) entries.set(finishPath(encodePath(child.prefix.slice(0, -1))), undefined);
      if (child.children.size > 0) entries.set(wildcardOf(child), child);
    }
    return entries;
  };

  const chosen = new Set<string>(['/*']);
  let wildcards = 1;
  const queue: { path: string; node: TrieNode }[] = [{ path: '/*', node: root }];
  while (queue.length > 0) {
    let next = 0;
    for (let i = 1; i < queue.length; i++) {
      const a = queue[i]!;
      const b = queue[next]!;
      if (a.node.count < b.node.count || (a.node.count === b.node.count && a.path < b.path)) next = i;
    }
    const { path, node } = queue.splice(next, 1)[0]!;
    const entries = entriesOf(node);
    // A `*` inside a directory name can make an entry the wildcard itself: nothing to gain.
    if (entries.has(path)) continue;
    const added = [...entries].filter(([p]) => !chosen.has(p));
    const addedWildcards = added.filter(([p]) => isWildcard(p)).length;
    if (chosen.size - 1 + added.length > budget.maxPaths) continue;
    if (wildcards - 1 + addedWildcards > budget.maxWildcards) continue;
    chosen.delete(path);
    wildcards += addedWildcards - 1;
    for (const [p, child] of added) {
      chosen.add(p);
      if (child) queue.push({ path: p, node: child });
    }
  }
  return { paths: [...chosen].sort(), collapsed: true };
}
