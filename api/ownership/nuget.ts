import { declaresMcpName } from '../../core/mcp-name.js';
import type { PackageHttp } from './http.js';
import { isObject, OwnershipFailure, type PackageVerifier, parseJson } from './types.js';

const INDEX_TTL_MS = 60 * 60 * 1000;
const README_TEMPLATE = 'ReadmeUriTemplate/6.13.0';
const BASE_ADDRESS = 'PackageBaseAddress/3.0.0';

interface ServiceIndex {
  readmeTemplate: string | undefined;
  baseAddress: string | undefined;
}

/**
 * NuGet: the package's embedded README declares `mcp-name: <server name>`. The README's URL comes from
 * the service index (`ReadmeUriTemplate`), read once an hour; with no README, the package's version list
 * (`PackageBaseAddress`) tells the publisher whether the package or version is missing instead.
 */
export function createNugetVerifier(now: () => number = Date.now): PackageVerifier {
  let cached: { at: number; url: string; index: ServiceIndex } | undefined;

  async function serviceIndex(http: PackageHttp, url: string): Promise<ServiceIndex> {
    if (cached && cached.url === url && now() - cached.at < INDEX_TTL_MS) return cached.index;
    const res = await http.request(url, { headers: { accept: 'application/json' } });
    if (res.status !== 200) throw new OwnershipFailure(`NuGet service index answered ${res.status}`);

    const doc = parseJson(res.body, 'the NuGet service index');
    const resources = isObject(doc) && Array.isArray(doc.resources) ? doc.resources : [];
    const find = (type: string) => {
      const hit = resources.find((r) => isObject(r) && r['@type'] === type && typeof r['@id'] === 'string');
      return isObject(hit) ? (hit['@id'] as string) : undefined;
    };
    const index = { readmeTemplate: find(README_TEMPLATE), baseAddress: find(BASE_ADDRESS) };
    cached = { at: now(), url, index };
    return index;
  }

  return async (pkg, serverName, { http, urls }) => {
    const id = pkg.identifier.toLowerCase();
    const version = (pkg.version ?? '').toLowerCase();
    const index = await serviceIndex(http, urls.nuget);
    if (index.readmeTemplate) {
      const readmeUrl = index.readmeTemplate
        .replace('{lower_id}', encodeURIComponent(id))
        .replace('{lower_version}', encodeURIComponent(version));
      const res = await http.request(readmeUrl);
      if (res.status !== 200 && res.status !== 404) throw answered(res.status, pkg.identifier);
      if (res.status === 200) {
        if (declaresMcpName(res.body.toString('utf8'), serverName)) return {};
        throw new OwnershipFailure(
          `NuGet package '${pkg.identifier}' ownership validation failed. The server name '${serverName}' must appear as 'mcp-name: ${serverName}' in the package README. Add it to your package README`,
        );
      }
    }
    throw await explainMissingReadme(http, index, pkg.identifier, id, version, serverName);
  };
}

async function explainMissingReadme(
  http: PackageHttp,
  index: ServiceIndex,
  identifier: string,
  id: string,
  version: string,
  serverName: string,
): Promise<OwnershipFailure> {
  if (index.baseAddress) {
    const base = index.baseAddress.endsWith('/') ? index.baseAddress : `${index.baseAddress}/`;
    const res = await http.request(`${base}${encodeURIComponent(id)}/index.json`);
    if (res.status !== 200 && res.status !== 404) return answered(res.status, identifier);
    if (res.status === 404) return new OwnershipFailure(`NuGet package '${identifier}' does not exist`);
    if (res.status === 200) {
      const doc = parseJson(res.body, 'the NuGet version list');
      const versions = isObject(doc) && Array.isArray(doc.versions) ? doc.versions : [];
      if (!versions.some((v) => typeof v === 'string' && v.toLowerCase() === version)) {
        return new OwnershipFailure(`NuGet package '${identifier}' has no version '${version}'`);
      }
    }
  }
  return new OwnershipFailure(
    `NuGet package '${identifier}' version '${version}' has no embedded README. Add a README containing 'mcp-name: ${serverName}' to the package and publish a new version`,
  );
}

const answered = (status: number, identifier: string) =>
  new OwnershipFailure(`NuGet answered ${status} for package '${identifier}'`);
