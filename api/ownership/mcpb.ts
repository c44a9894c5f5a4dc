import { routedUrl } from './routing.js';
import { OwnershipFailure, type PackageVerifier } from './types.js';

/**
 * MCPB: the bundle's URL answers `HEAD` with 200 (publicly downloadable). The URL rules (GitHub or
 * GitLab release assets, `mcp` in the URL) and `fileSha256` being present are checked by validation
 * before any network call.
 */
export const verifyMcpb: PackageVerifier = async (pkg, _serverName, { http, urls }) => {
  const res = await http.request(routedUrl(pkg.identifier, urls.hostOverrides), { method: 'HEAD' });
  if (res.status !== 200) {
    throw new OwnershipFailure(
      `MCPB package '${pkg.identifier}' is not publicly accessible (status: ${res.status})`,
    );
  }
  return {};
};
