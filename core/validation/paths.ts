/**
 * Issue paths in the official registry's form: `packages[0].transport.url`. Keys that are not plain
 * identifiers are quoted, e.g. `_meta["io.modelcontextprotocol.registry/publisher-provided"]`.
 */

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

export function fieldPath(base: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base === '' ? key : `${base}.${key}`;
}

export function indexPath(base: string, index: number): string {
  return `${base}[${index}]`;
}

/**
 * Converts a JSON Pointer (ajv's `instancePath`) to the dotted form. The document is walked alongside,
 * because a numeric segment is an array index only when the value there is an array.
 */
export function pointerToPath(pointer: string, root: unknown): string {
  if (pointer === '') return '';
  let path = '';
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^(0|[1-9]\d*)$/.test(segment)) {
      path = indexPath(path, Number(segment));
      node = node[Number(segment)];
    } else {
      path = fieldPath(path, segment);
      node =
        typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}
