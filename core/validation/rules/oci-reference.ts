/**
 * OCI image references (`registry/namespace/image:tag`, `…@sha256:<hex>`), parsed the way Docker and
 * go-containerregistry do: a first component containing `.` or `:` (or `localhost`) is the registry host,
 * otherwise the registry is Docker Hub (`ubuntu:24.04` = `docker.io/library/ubuntu:24.04`).
 */

export interface OciReference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST = /^[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::\d+)?$/;

const ALLOWED_REGISTRIES = new Set([
  'docker.io',
  'registry-1.docker.io',
  'index.docker.io',
  'ghcr.io',
  'quay.io',
  'mcr.microsoft.com',
]);
const ALLOWED_REGISTRY_SUFFIXES = ['.pkg.dev', '.azurecr.io'];

/** The parsed reference, or a message saying what is wrong with it. */
export function parseOciReference(ref: string): OciReference | { error: string } {
  if (ref === '' || /\s/.test(ref))
    return { error: 'OCI reference must be non-empty and contain no whitespace' };
  const at = ref.indexOf('@');
  const main = at === -1 ? ref : ref.slice(0, at);
  const digest = at === -1 ? undefined : ref.slice(at + 1);
  if (digest !== undefined && !DIGEST.test(digest)) {
    return { error: 'invalid digest: must be sha256: followed by 64 lowercase hex characters' };
  }
  // A ':' after the last '/' separates the tag; one before it belongs to a registry port.
  const colon = main.lastIndexOf(':');
  const hasTag = colon > main.lastIndexOf('/');
  const path = hasTag ? main.slice(0, colon) : main;
  const tag = hasTag ? main.slice(colon + 1) : undefined;
  if (tag !== undefined && !TAG.test(tag)) return { error: `invalid tag ${JSON.stringify(tag)}` };

  const components = path.split('/');
  const first = components[0] ?? '';
  const explicitHost =
    components.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = explicitHost ? first.toLowerCase() : 'docker.io';
  const repoParts = explicitHost ? components.slice(1) : components;
  if (explicitHost && !HOST.test(first)) return { error: `invalid registry host ${JSON.stringify(first)}` };
  if (repoParts.length === 0 || !repoParts.every((c) => PATH_COMPONENT.test(c))) {
    return {
      error: `invalid repository ${JSON.stringify(repoParts.join('/'))}: path components must be lowercase letters, digits and separators (., _, __, -)`,
    };
  }
  if (tag === undefined && digest === undefined) {
    return {
      error: `OCI reference must include a tag or a digest (e.g. 'docker.io/owner/image:1.0.0'): ${ref}`,
    };
  }
  return {
    registry,
    repository: repoParts.join('/'),
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

export function isAllowedOciRegistry(registry: string): boolean {
  return (
    ALLOWED_REGISTRIES.has(registry) || ALLOWED_REGISTRY_SUFFIXES.some((suffix) => registry.endsWith(suffix))
  );
}
