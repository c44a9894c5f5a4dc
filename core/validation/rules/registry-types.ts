import { type JsonObject, presentString, stringField } from '../guards.js';
import { fieldPath } from '../paths.js';
import { type RuleIssue, semanticError } from '../types.js';
import { isAllowedOciRegistry, parseOciReference } from './oci-reference.js';
import { parseUrl } from './urls.js';

/**
 * Per-registryType package shape (the official registry checks these at publish time, before it looks
 * the package up in its registry): which of `version`, `registryBaseUrl` and `fileSha256` a package
 * must or must not carry, and what its `identifier` looks like.
 */

/** Registries identified by name + version; only their public default registry is accepted. */
const NAMED_REGISTRIES = new Map<string, string>([
  ['npm', 'https://registry.npmjs.org'],
  ['pypi', 'https://pypi.org'],
  ['nuget', 'https://api.nuget.org/v3/index.json'],
  ['cargo', 'https://crates.io'],
]);

const SHA256_HEX = /^[a-f0-9]{64}$/;

export function checkRegistryType(pkg: JsonObject, path: string): RuleIssue[] {
  const registryType = stringField(pkg, 'registryType');
  if (registryType === undefined) return []; // missing or not a string: a schema issue
  const defaultBaseUrl = NAMED_REGISTRIES.get(registryType);
  if (defaultBaseUrl !== undefined) return checkNamedRegistry(pkg, path, registryType, defaultBaseUrl);
  if (registryType === 'oci') return checkOci(pkg, path);
  if (registryType === 'mcpb') return checkMcpb(pkg, path);
  return [
    semanticError(
      fieldPath(path, 'registryType'),
      'package-registry-type',
      `unsupported registry type: ${registryType}`,
    ),
  ];
}

function checkNamedRegistry(
  pkg: JsonObject,
  path: string,
  type: string,
  defaultBaseUrl: string,
): RuleIssue[] {
  const issues: RuleIssue[] = [];
  if (pkg.version === undefined) {
    issues.push(
      semanticError(
        fieldPath(path, 'version'),
        'package-version-required',
        `${type} packages must specify a version`,
      ),
    );
  }
  const baseUrl = presentString(pkg, 'registryBaseUrl');
  if (baseUrl !== undefined && baseUrl !== defaultBaseUrl) {
    issues.push(
      semanticError(
        fieldPath(path, 'registryBaseUrl'),
        'package-registry-base-url',
        `registry type and base URL do not match: '${baseUrl}' is not valid for registry type '${type}'. Expected: ${defaultBaseUrl}`,
      ),
    );
  }
  issues.push(...forbid(pkg, path, type, 'fileSha256', 'package-file-sha256'));
  return issues;
}

function checkOci(pkg: JsonObject, path: string): RuleIssue[] {
  const issues: RuleIssue[] = [
    ...forbid(
      pkg,
      path,
      'oci',
      'version',
      'package-version-forbidden',
      "include the version in 'identifier' instead (e.g., 'docker.io/owner/image:1.0.0')",
    ),
    ...forbid(
      pkg,
      path,
      'oci',
      'registryBaseUrl',
      'package-registry-base-url',
      "use a canonical reference in 'identifier' instead (e.g., 'docker.io/owner/image:1.0.0')",
    ),
    ...forbid(pkg, path, 'oci', 'fileSha256', 'package-file-sha256'),
  ];
  const identifier = stringField(pkg, 'identifier');
  if (identifier === undefined) return issues;
  const ref = parseOciReference(identifier);
  const at = fieldPath(path, 'identifier');
  if ('error' in ref) {
    issues.push(semanticError(at, 'package-oci-identifier', `invalid OCI reference: ${ref.error}`));
  } else if (!isAllowedOciRegistry(ref.registry)) {
    issues.push(
      semanticError(
        at,
        'package-oci-registry',
        `unsupported OCI registry: ${ref.registry} (allowed: docker.io, ghcr.io, quay.io, mcr.microsoft.com, *.pkg.dev, *.azurecr.io)`,
      ),
    );
  }
  return issues;
}

const MCPB_HOSTS = new Set(['github.com', 'www.github.com', 'gitlab.com', 'www.gitlab.com']);
const GITHUB_RELEASE_ASSET =
  /^\/([a-zA-Z0-9]([a-zA-Z0-9-]{0,37}[a-zA-Z0-9])?)\/([a-zA-Z0-9._-]+)\/releases\/download\/([^/]+)\/([^/]+)$/;
const GITLAB_RELEASE_ASSET =
  /^\/([a-zA-Z0-9._-]+(?:\/[a-zA-Z0-9._-]+)*)\/-\/releases\/([^/]+)\/downloads\/([^/]+)$/;
const GITLAB_PACKAGE_FILE =
  /^\/([a-zA-Z0-9._-]+(?:\/[a-zA-Z0-9._-]+)*)\/-\/package_files\/([0-9]+)\/download$/;

function checkMcpb(pkg: JsonObject, path: string): RuleIssue[] {
  const issues: RuleIssue[] = [
    ...forbid(
      pkg,
      path,
      'mcpb',
      'registryBaseUrl',
      'package-registry-base-url',
      "use the full download URL in 'identifier' instead",
    ),
  ];
  const sha = pkg.fileSha256;
  if (sha === undefined || sha === '') {
    issues.push(
      semanticError(
        fieldPath(path, 'fileSha256'),
        'package-file-sha256',
        'MCPB packages must include a fileSha256 hash for integrity verification',
      ),
    );
  } else if (typeof sha === 'string' && !SHA256_HEX.test(sha)) {
    issues.push(
      semanticError(
        fieldPath(path, 'fileSha256'),
        'package-file-sha256',
        'fileSha256 must be 64 lowercase hex characters',
        true,
      ),
    );
  }
  const identifier = stringField(pkg, 'identifier');
  const problem = identifier === undefined ? undefined : describeMcpbUrlProblem(identifier);
  if (problem !== undefined)
    issues.push(semanticError(fieldPath(path, 'identifier'), 'package-mcpb-identifier', problem));
  return issues;
}

function describeMcpbUrlProblem(identifier: string): string | undefined {
  const url = parseUrl(identifier);
  if (url === undefined || url.protocol !== 'https:')
    return `MCPB package identifier must be an https URL: ${identifier}`;
  if (!identifier.toLowerCase().includes('mcp')) return `MCPB package URL must contain 'mcp': ${identifier}`;
  const host = url.hostname.toLowerCase();
  if (!MCPB_HOSTS.has(host) || url.port !== '') {
    return `MCPB packages must be hosted on allowlisted providers (GitHub or GitLab). Host '${url.host}' is not allowed`;
  }
  if (host.endsWith('github.com')) {
    if (!GITHUB_RELEASE_ASSET.test(url.pathname)) {
      return "GitHub MCPB packages must be release assets following the pattern '/owner/repo/releases/download/tag/filename'";
    }
  } else if (!GITLAB_RELEASE_ASSET.test(url.pathname) && !GITLAB_PACKAGE_FILE.test(url.pathname)) {
    return (
      "GitLab MCPB packages must be release assets following patterns '/owner/repo/-/releases/tag/downloads/filename' " +
      "or '/owner/repo/-/package_files/id/download'"
    );
  }
  return undefined;
}

/** An issue when `field` is present (the official Go structs treat "" as absent). */
function forbid(
  pkg: JsonObject,
  path: string,
  type: string,
  field: string,
  reference: string,
  hint?: string,
): RuleIssue[] {
  const value = pkg[field];
  if (value === undefined || value === '') return [];
  const message = `${type} packages must not have '${field}' field${hint ? ` - ${hint}` : ''}`;
  return [semanticError(fieldPath(path, field), reference, message)];
}
