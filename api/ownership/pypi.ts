import { declaresMcpName } from '../../core/mcp-name.js';
import { isObject, OwnershipFailure, type PackageVerifier, parseJson, trimSlash } from './types.js';

/** PyPI: the release's description (its README) declares `mcp-name: <server name>`. */
export const verifyPypi: PackageVerifier = async (pkg, serverName, { http, urls }) => {
  const id = encodeURIComponent(pkg.identifier);
  const url = `${trimSlash(urls.pypi)}/pypi/${id}/${encodeURIComponent(pkg.version ?? '')}/json`;
  const res = await http.request(url, { headers: { accept: 'application/json' } });
  if (res.status === 404) {
    throw new OwnershipFailure(
      `PyPI package '${pkg.identifier}' version '${pkg.version}' not found (status: 404)`,
    );
  }
  if (res.status !== 200) {
    throw new OwnershipFailure(`PyPI answered ${res.status} for package '${pkg.identifier}'`);
  }
  const release = parseJson(res.body, 'PyPI package metadata');
  const info = isObject(release) ? release.info : undefined;
  const description = isObject(info) && typeof info.description === 'string' ? info.description : '';
  if (!declaresMcpName(description, serverName)) {
    throw new OwnershipFailure(
      `PyPI package '${pkg.identifier}' ownership validation failed. The server name '${serverName}' must appear as 'mcp-name: ${serverName}' in the package README`,
    );
  }
  return {};
};
