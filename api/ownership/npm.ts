import { isObject, OwnershipFailure, type PackageVerifier, parseJson, trimSlash } from './types.js';

/** npm: the version's manifest (its package.json as published) has `mcpName` equal to the server name. */
export const verifyNpm: PackageVerifier = async (pkg, serverName, { http, urls }) => {
  // A scoped name keeps its `@` and encodes its `/`: `@scope%2Fname`, as npm's own client asks.
  const id = encodeURIComponent(pkg.identifier).replace(/^%40/, '@');
  const url = `${trimSlash(urls.npm)}/${id}/${encodeURIComponent(pkg.version ?? '')}`;
  const res = await http.request(url, { headers: { accept: 'application/json' } });
  if (res.status === 404) {
    throw new OwnershipFailure(
      `NPM package '${pkg.identifier}' version '${pkg.version}' not found (status: 404)`,
    );
  }
  if (res.status !== 200) {
    throw new OwnershipFailure(`NPM registry answered ${res.status} for package '${pkg.identifier}'`);
  }
  const manifest = parseJson(res.body, 'NPM package metadata');
  const mcpName = isObject(manifest) ? manifest.mcpName : undefined;
  if (mcpName === undefined || mcpName === '') {
    throw new OwnershipFailure(
      `NPM package '${pkg.identifier}' is missing required 'mcpName' field. Add this to your package.json: "mcpName": "${serverName}"`,
    );
  }
  if (mcpName !== serverName) {
    throw new OwnershipFailure(
      `NPM package ownership validation failed. Expected mcpName '${serverName}', got '${String(mcpName)}'`,
    );
  }
  return {};
};
