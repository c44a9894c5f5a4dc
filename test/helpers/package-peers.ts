import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Package registries on loopback, answering at their real API paths with their real status codes and
 * content types: npm (`/{name}/{version}`), PyPI (`/pypi/{name}/{version}/json`), NuGet (service
 * index, flat-container README and version list), crates.io (`/api/v1/crates/{n}/{v}/readme` → README
 * URL → rendered HTML; 403 from the static host when there is no README), OCI registry API v2 (Docker
 * Hub's anonymous token handshake on `docker.io`, open pulls on `ghcr.io`, multi-arch indexes, blobs
 * behind a redirect as Docker Hub's CDN does) and MCPB downloads (`HEAD` on a GitHub release asset).
 * One server, one path prefix per registry; `env` points the registry's settings at it.
 */
export interface OciImage {
  labels: Record<string, string>;
  /** Published as a multi-platform index (arm64 + amd64 + an attestation entry) instead of one manifest. */
  multiArch?: boolean;
}

export type Fault = { status: number; headers?: Record<string, string> } | 'hang' | 'huge';

export interface PackagePeers {
  env: Record<string, string>;
  npm: Map<string, Record<string, unknown>>; // `${name}@${version}` → version manifest
  pypi: Map<string, string>; // `${name}@${version}` → info.description
  nuget: Map<string, { versions: string[]; readme?: string }>; // lower-case id → package
  cargo: Map<string, string | null>; // `${name}@${version}` → rendered README (null: none)
  oci: Map<string, OciImage>; // `${registry}/${repository}:${tag}`
  mcpb: Set<string>; // paths on github.com that answer 200
  /** Registry prefix (`npm`, `pypi`, `nuget`, `cargo`, `oci`, `mcpb`) → how every request to it fails. */
  faults: Map<string, Fault>;
  /** Every request: `METHOD path` plus the headers the check sent. */
  requests: { method: string; path: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

const sha256 = (bytes: string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const HUB_TOKEN = 'hub-anonymous-pull-token';

export async function startPackagePeers(): Promise<PackagePeers> {
  const blobs = new Map<string, string>(); // digest → bytes (configs and manifests by digest)
  const peers: Omit<PackagePeers, 'env' | 'close'> = {
    npm: new Map(),
    pypi: new Map(),
    nuget: new Map(),
    cargo: new Map(),
    oci: new Map(),
    mcpb: new Set(),
    faults: new Map(),
    requests: [],
  };
  let base = '';
  const held: ServerResponse[] = [];

  const json = (res: ServerResponse, status: number, body: unknown, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
  };
  const notFound = (res: ServerResponse, body: unknown = { errors: [{ code: 'NOT_FOUND' }] }) =>
    json(res, 404, body);

  function image(img: OciImage): { type: string; body: string } {
    const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: img.labels } });
    blobs.set(sha256(config), config);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha256(config),
        size: config.length,
      },
      layers: [],
    });
    blobs.set(sha256(manifest), manifest);
    if (!img.multiArch) return { type: MANIFEST, body: manifest };
    const other = JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: { digest: 'sha256:0' },
      layers: [],
    });
    blobs.set(sha256(other), other);
    const entry = (body: string, platform: object) => ({
      mediaType: MANIFEST,
      digest: sha256(body),
      size: body.length,
      platform,
    });
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: [
        entry(other, { os: 'linux', architecture: 'arm64' }),
        entry(manifest, { os: 'linux', architecture: 'amd64' }),
        entry(other, { os: 'unknown', architecture: 'unknown' }),
      ],
    });
    return { type: INDEX, body: index };
  }

  function oci(req: IncomingMessage, res: ServerResponse, registry: string, path: string) {
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path);
    if (!m) return notFound(res);
    const [, repository, kind, reference] = m as unknown as [string, string, string, string];
    if (registry === 'docker.io' && req.headers.authorization !== `Bearer ${HUB_TOKEN}`) {
      res.writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': `Bearer realm="${base}/oci-auth/token",service="registry.docker.io",scope="repository:${repository}:pull"`,
      });
      return res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED' }] }));
    }
    if (kind === 'blobs') {
      // Docker Hub answers blob requests with a redirect to its CDN.
      if (!blobs.has(reference)) return notFound(res);
      res.writeHead(307, { location: `${base}/oci-cdn/${reference}` });
      return res.end();
    }
    if (reference.startsWith('sha256:')) {
      const body = blobs.get(reference);
      if (!body) return notFound(res);
      res.writeHead(200, { 'content-type': JSON.parse(body).mediaType ?? MANIFEST });
      return res.end(body);
    }
    const img = peers.oci.get(`${registry}/${repository}:${reference}`);
    if (!img) return notFound(res, { errors: [{ code: 'MANIFEST_UNKNOWN' }] });
    const { type, body } = image(img);
    res.writeHead(200, { 'content-type': type, 'docker-content-digest': sha256(body) });
    res.end(body);
  }

  function route(req: IncomingMessage, res: ServerResponse, url: URL) {
    const [, prefix = '', ...rest] = url.pathname.split('/');
    const path = `/${rest.join('/')}`;
    const fault = peers.faults.get(prefix.startsWith('oci') ? 'oci' : prefix);
    if (fault === 'hang') return void held.push(res);
    if (fault === 'huge') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(`{"pad":"${'x'.repeat(6 * 1024 * 1024)}"}`);
    }
    if (fault) {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      return res.end('{"error":"fault"}');
    }
    switch (prefix) {
      case 'npm': {
        const m = /^\/((?:@[^/]+%2[Ff])?[^/@][^/]*)\/([^/]+)$/.exec(path);
        const doc = m && peers.npm.get(`${decodeURIComponent(m[1]!)}@${decodeURIComponent(m[2]!)}`);
        return doc ? json(res, 200, doc) : notFound(res, 'Not Found');
      }
      case 'pypi': {
        const m = /^\/pypi\/([^/]+)\/([^/]+)\/json$/.exec(path);
        const description = m && peers.pypi.get(`${m[1]}@${m[2]}`);
        return typeof description === 'string'
          ? json(res, 200, { info: { name: m![1], version: m![2], description } })
          : notFound(res, { message: 'Not Found' });
      }
      case 'nuget':
        return nuget(res, path);
      case 'cargo':
        return cargo(res, path);
      case 'cargo-static': {
        const key = decodeURIComponent(path.slice('/readmes/'.length));
        const readme = peers.cargo.get(key);
        if (typeof readme !== 'string') {
          res.writeHead(403, { 'content-type': 'application/xml' });
          return res.end('<Error><Code>AccessDenied</Code></Error>');
        }
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(readme);
      }
      case 'oci-hub':
        return oci(req, res, 'docker.io', path);
      case 'oci-ghcr':
        return oci(req, res, 'ghcr.io', path);
      case 'oci-auth':
        return url.searchParams.get('service') === 'registry.docker.io'
          ? json(res, 200, { token: HUB_TOKEN, access_token: HUB_TOKEN, expires_in: 300 })
          : json(res, 400, { details: 'unknown service' });
      case 'oci-cdn': {
        const body = blobs.get(path.slice(1));
        if (!body) return notFound(res);
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(body);
      }
      case 'mcpb':
        res.writeHead(peers.mcpb.has(path) ? 200 : 404, { 'content-type': 'application/octet-stream' });
        return res.end();
      default:
        return notFound(res);
    }
  }

  function nuget(res: ServerResponse, path: string) {
    if (path === '/v3/index.json') {
      return json(res, 200, {
        version: '3.0.0',
        resources: [
          { '@id': `${base}/nuget/flat/`, '@type': 'PackageBaseAddress/3.0.0' },
          {
            '@id': `${base}/nuget/flat/{lower_id}/{lower_version}/readme`,
            '@type': 'ReadmeUriTemplate/6.13.0',
          },
        ],
      });
    }
    const readme = /^\/flat\/([^/]+)\/([^/]+)\/readme$/.exec(path);
    if (readme) {
      const pkg = peers.nuget.get(readme[1]!);
      if (!pkg?.readme || !pkg.versions.map((v) => v.toLowerCase()).includes(readme[2]!))
        return notFound(res);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(pkg.readme);
    }
    const list = /^\/flat\/([^/]+)\/index\.json$/.exec(path);
    const pkg = list && peers.nuget.get(list[1]!);
    return pkg ? json(res, 200, { versions: pkg.versions.map((v) => v.toLowerCase()) }) : notFound(res);
  }

  function cargo(res: ServerResponse, path: string) {
    const m = /^\/api\/v1\/crates\/([^/]+)\/([^/]+)(\/readme)?$/.exec(path);
    if (!m) return notFound(res);
    const key = `${m[1]}@${m[2]}`;
    if (!peers.cargo.has(key)) return json(res, 404, { errors: [{ detail: 'Not Found' }] });
    if (!m[3]) return json(res, 200, { version: { crate: m[1], num: m[2] } });
    return json(res, 200, { url: `${base}/cargo-static/readmes/${encodeURIComponent(key)}` });
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://peer');
    peers.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      headers: req.headers,
    });
    route(req, res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...peers,
    env: {
      PACKAGE_VALIDATION: 'on',
      PACKAGE_REGISTRY_NPM_URL: `${base}/npm`,
      PACKAGE_REGISTRY_PYPI_URL: `${base}/pypi`,
      PACKAGE_REGISTRY_NUGET_URL: `${base}/nuget/v3/index.json`,
      PACKAGE_REGISTRY_CARGO_URL: `${base}/cargo`,
      PACKAGE_REGISTRY_HOST_OVERRIDES: JSON.stringify({
        'docker.io': `${base}/oci-hub`,
        'ghcr.io': `${base}/oci-ghcr`,
        'github.com': `${base}/mcpb`,
      }),
    },
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
