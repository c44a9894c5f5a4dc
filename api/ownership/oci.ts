import { type OciReference, parseOciReference } from '../../core/validation/rules/oci-reference.js';
import type { FetchedResponse, PackageHttp } from './http.js';
import { isObject, OwnershipFailure, type PackageVerifier, parseJson, trimSlash } from './types.js';

export const OCI_LABEL = 'io.modelcontextprotocol.server.name';
const OCI_TIMEOUT_MS = 30_000;

const INDEX_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];
const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];
const ACCEPT = [...INDEX_TYPES, ...MANIFEST_TYPES].join(', ');

/** Docker Hub's registry API lives on its own host; everything else answers on the registry host. */
const DOCKER_HUB_API = 'https://registry-1.docker.io';
const DOCKER_HUB_NAMES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** The registry said "slow down": the official registry accepts the package unchecked, and so do we. */
class RateLimited extends Error {}

/**
 * OCI: the image's config carries the label `io.modelcontextprotocol.server.name` = the server name
 * (a Dockerfile `LABEL`). Registry API v2, anonymous pull: a 401 with a Bearer challenge is answered
 * by fetching a token from the challenge's realm (Docker Hub, GHCR and Quay all work this way); a
 * multi-platform index is resolved to its linux/amd64 image (or the first image). A 429 anywhere skips
 * the check with a warning, as the official registry does.
 */
export const verifyOci: PackageVerifier = async (pkg, serverName, { http, urls }) => {
  const ref = parseOciReference(pkg.identifier);
  if ('error' in ref) throw new OwnershipFailure(`invalid OCI reference: ${ref.error}`);
  const shown = pkg.identifier;
  const client = new RegistryClient(http, baseUrlFor(ref.registry, urls.hostOverrides), repositoryOf(ref));
  try {
    let manifest = await client.json(`manifests/${ref.digest ?? ref.tag}`, ACCEPT, shown);
    if (isIndex(manifest)) {
      const digest = pickPlatform(manifest);
      if (!digest) throw new OwnershipFailure(`OCI image '${shown}' index lists no image manifest`);
      manifest = await client.json(`manifests/${digest}`, MANIFEST_TYPES.join(', '), shown);
    }
    const config = isObject(manifest) && isObject(manifest.config) ? manifest.config : undefined;
    if (!config || typeof config.digest !== 'string') {
      throw new OwnershipFailure(`OCI image '${shown}' manifest has no config`);
    }
    const imageConfig = await client.json(`blobs/${config.digest}`, '*/*', shown);
    const inner = isObject(imageConfig) && isObject(imageConfig.config) ? imageConfig.config : undefined;
    const labels = inner && isObject(inner.Labels) ? inner.Labels : {};
    const label = labels[OCI_LABEL];
    if (label === undefined) {
      throw new OwnershipFailure(
        `OCI image '${shown}' is missing required label. Add this to your Dockerfile: LABEL ${OCI_LABEL}="${serverName}"`,
      );
    }
    if (label !== serverName) {
      throw new OwnershipFailure(
        `OCI image ownership validation failed. Expected label '${OCI_LABEL}' = '${serverName}', got '${String(label)}'`,
      );
    }
    return {};
  } catch (e) {
    if (e instanceof RateLimited) {
      return {
        warning: `the OCI registry rate-limited the ownership check of '${shown}' (429); it was skipped`,
      };
    }
    throw e;
  }
};

function baseUrlFor(registry: string, overrides: Readonly<Record<string, string>>): string {
  const override = overrides[registry];
  if (override !== undefined) return trimSlash(override);
  return DOCKER_HUB_NAMES.has(registry) ? DOCKER_HUB_API : `https://${registry}`;
}

/** Docker Hub's official images live under `library/`. */
function repositoryOf(ref: OciReference): string {
  return DOCKER_HUB_NAMES.has(ref.registry) && !ref.repository.includes('/')
    ? `library/${ref.repository}`
    : ref.repository;
}

const isIndex = (doc: unknown): doc is { manifests: unknown[] } =>
  isObject(doc) &&
  Array.isArray(doc.manifests) &&
  (doc.mediaType === undefined || INDEX_TYPES.includes(String(doc.mediaType)));

/** linux/amd64 if the index has it, else its first image (attestation entries skipped). */
function pickPlatform(index: { manifests: unknown[] }): string | undefined {
  const images = index.manifests.filter(
    (m): m is Record<string, unknown> =>
      isObject(m) && typeof m.digest === 'string' && !(isObject(m.platform) && m.platform.os === 'unknown'),
  );
  const platformOf = (m: Record<string, unknown>) => (isObject(m.platform) ? m.platform : {});
  const amd64 = images.find((m) => platformOf(m).os === 'linux' && platformOf(m).architecture === 'amd64');
  return ((amd64 ?? images[0])?.digest as string | undefined) ?? undefined;
}

/** One repository on one registry, with the anonymous pull token once a challenge asked for it. */
class RegistryClient {
  private token: string | undefined;

  constructor(
    private readonly http: PackageHttp,
    private readonly base: string,
    private readonly repository: string,
  ) {}

  async json(path: string, accept: string, shown: string): Promise<unknown> {
    const url = `${this.base}/v2/${this.repository}/${path}`;
    let res = await this.get(url, accept);
    if (res.status === 401 && !this.token) {
      this.token = await this.fetchToken(res, shown);
      res = await this.get(url, accept);
    }
    if (res.status === 429) throw new RateLimited();
    if (res.status === 401 || res.status === 403) {
      throw new OwnershipFailure(
        `OCI image '${shown}' is private or requires authentication (status: ${res.status}). Only public images are supported`,
      );
    }
    if (res.status === 404) throw new OwnershipFailure(`OCI image '${shown}' not found (status: 404)`);
    if (res.status !== 200) throw new OwnershipFailure(`OCI registry answered ${res.status} for '${shown}'`);
    return parseJson(res.body, `the OCI registry's answer for '${shown}'`);
  }

  private get(url: string, accept: string): Promise<FetchedResponse> {
    const headers: Record<string, string> = { accept };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    return this.http.request(url, { headers, timeoutMs: OCI_TIMEOUT_MS });
  }

  /** `WWW-Authenticate: Bearer realm="…",service="…"` → an anonymous pull token for this repository. */
  private async fetchToken(challenge: FetchedResponse, shown: string): Promise<string> {
    const header = String(challenge.headers['www-authenticate'] ?? '');
    const params = parseChallenge(header);
    if (!params?.realm) {
      throw new OwnershipFailure(
        `OCI image '${shown}' requires authentication the registry did not describe`,
      );
    }
    const tokenUrl = new URL(params.realm);
    if (params.service) tokenUrl.searchParams.set('service', params.service);
    tokenUrl.searchParams.set('scope', `repository:${this.repository}:pull`);
    const res = await this.http.request(tokenUrl.href, { timeoutMs: OCI_TIMEOUT_MS });
    if (res.status === 429) throw new RateLimited();
    if (res.status !== 200) {
      throw new OwnershipFailure(`OCI registry token request for '${shown}' answered ${res.status}`);
    }
    const doc = parseJson(res.body, 'the OCI token response');
    const token = isObject(doc) ? (doc.token ?? doc.access_token) : undefined;
    if (typeof token !== 'string' || token === '') {
      throw new OwnershipFailure(`OCI registry token response for '${shown}' has no token`);
    }
    return token;
  }
}

/** Parses `Bearer k="v",k2="v2"` (values quoted, no escapes in practice). */
export function parseChallenge(header: string): Record<string, string> | undefined {
  const match = /^\s*Bearer\s+(.*)$/i.exec(header);
  if (!match) return undefined;
  const out: Record<string, string> = {};
  for (const part of match[1]!.split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    out[part.slice(0, eq).trim().toLowerCase()] = part
      .slice(eq + 1)
      .trim()
      .replace(/^"|"$/g, '');
  }
  return out;
}
