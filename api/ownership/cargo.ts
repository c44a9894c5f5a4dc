import { declaresMcpName } from '../../core/mcp-name.js';
import { isObject, OwnershipFailure, type PackageVerifier, parseJson, trimSlash } from './types.js';

/** crates.io serves rendered READMEs from this host; only it (and the API's own host) is fetched. */
const CRATES_IO = 'https://crates.io';
const STATIC_HOST = 'static.crates.io';

/**
 * cargo: the crate version's rendered README declares `mcp-name: <server name>`. crates.io answers
 * `GET /api/v1/crates/{name}/{version}/readme` (JSON) with the README's URL; that URL is fetched only
 * on the API's own host or crates.io's static host, so a response cannot steer the check elsewhere.
 * A 403 from the static host means "missing crate/version" or "no README": the version endpoint says which.
 */
export const verifyCargo: PackageVerifier = async (pkg, serverName, { http, urls }) => {
  const base = trimSlash(urls.cargo);
  const crate = `${encodeURIComponent(pkg.identifier)}/${encodeURIComponent(pkg.version ?? '')}`;
  const meta = await http.request(`${base}/api/v1/crates/${crate}/readme`, {
    headers: { accept: 'application/json' },
  });
  if (meta.status === 404) {
    throw new OwnershipFailure(
      `cargo package '${pkg.identifier}' version '${pkg.version}' not found on crates.io`,
    );
  }
  if (meta.status !== 200) {
    throw new OwnershipFailure(`crates.io answered ${meta.status} for cargo package '${pkg.identifier}'`);
  }
  const doc = parseJson(meta.body, 'crates.io readme metadata');
  const readmeUrl = isObject(doc) && typeof doc.url === 'string' ? doc.url : undefined;
  if (!readmeUrl) throw new OwnershipFailure(`crates.io readme metadata for '${pkg.identifier}' has no url`);
  const allowed = new Set([new URL(base).host, ...(base === CRATES_IO ? [STATIC_HOST] : [])]);
  let target: URL;
  try {
    target = new URL(readmeUrl);
  } catch {
    throw new OwnershipFailure(`crates.io returned an unparseable README URL for '${pkg.identifier}'`);
  }
  if (!allowed.has(target.host)) {
    throw new OwnershipFailure(`crates.io returned a README URL on an unexpected host (${target.host})`);
  }
  const readme = await http.request(target.href, { headers: { accept: 'text/html' } });
  if (readme.status === 200) {
    if (declaresMcpName(readme.body.toString('utf8'), serverName)) return {};
    throw new OwnershipFailure(
      `cargo package '${pkg.identifier}' version '${pkg.version}' ownership validation failed. The server name '${serverName}' must appear as 'mcp-name: ${serverName}' in the package README (visible text: crates.io removes HTML comments)`,
    );
  }
  if (readme.status === 403) {
    const probe = await http.request(`${base}/api/v1/crates/${crate}`, {
      headers: { accept: 'application/json' },
    });
    if (probe.status === 404) {
      throw new OwnershipFailure(
        `cargo package '${pkg.identifier}' version '${pkg.version}' not found on crates.io`,
      );
    }
    if (probe.status === 200) {
      throw new OwnershipFailure(
        `cargo package '${pkg.identifier}' version '${pkg.version}' exists on crates.io, but its rendered README could not be retrieved. If it has no README, add one containing 'mcp-name: ${serverName}' and publish a new version`,
      );
    }
  }
  throw new OwnershipFailure(
    `cargo package '${pkg.identifier}' version '${pkg.version}' README fetch failed (status: ${readme.status})`,
  );
};
