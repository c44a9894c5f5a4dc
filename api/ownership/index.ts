import type { Config } from '../../core/config.js';
import { badRequest } from '../../core/errors.js';
import type { ServerJson } from '../../core/server-json.js';
import { verifyCargo } from './cargo.js';
import { createPackageHttp, PackageFetchError, type PackageHttp } from './http.js';
import { verifyMcpb } from './mcpb.js';
import { verifyNpm } from './npm.js';
import { createNugetVerifier } from './nuget.js';
import { verifyOci } from './oci.js';
import { verifyPypi } from './pypi.js';
import { OwnershipFailure, type PackageRegistryUrls, type PackageVerifier } from './types.js';

export type { PackageRegistryUrls } from './types.js';

/**
 * Package ownership proofs, run on publish and edit: every package a server.json points to must say
 * it belongs to that server (npm `mcpName`, a README marker, an image label, a downloadable bundle).
 * All packages of a version are checked at once; every failure is reported, each in the official
 * wording `registry validation failed for package <i> (<identifier>): <cause>`.
 */
export interface OwnershipChecker {
  /** Resolves with warnings (checks that were skipped); rejects with a 400 RegistryError. */
  check(doc: ServerJson, failure: string): Promise<string[]>;
}

export interface OwnershipOptions {
  urls: PackageRegistryUrls;
  userAgent: string;
  /** Replaces the HTTP client (tests of the runner itself). */
  http?: PackageHttp;
}

export function createOwnershipChecker(options: OwnershipOptions): OwnershipChecker {
  const { urls } = options;
  const http =
    options.http ?? createPackageHttp({ userAgent: options.userAgent, trustedHosts: hostsOf(urls) });
  const verifiers: Record<string, PackageVerifier> = {
    npm: verifyNpm,
    pypi: verifyPypi,
    nuget: createNugetVerifier(),
    cargo: verifyCargo,
    oci: verifyOci,
    mcpb: verifyMcpb,
  };

  return {
    async check(doc, failure) {
      const packages = doc.packages ?? [];
      const outcomes = await Promise.all(
        packages.map(async (pkg, i) => {
          const verify = verifiers[pkg.registryType];
          // Unknown types never get here: validation refuses them first.
          if (!verify) return { i, pkg, error: `unsupported registry type: ${pkg.registryType}` };
          try {
            return { i, pkg, warning: (await verify(pkg, doc.name, { http, urls })).warning };
          } catch (e) {
            if (e instanceof OwnershipFailure) return { i, pkg, error: e.message };
            if (e instanceof PackageFetchError) {
              return { i, pkg, error: `the ${pkg.registryType} registry could not be checked: ${e.message}` };
            }
            throw e;
          }
        }),
      );
      const errors = outcomes.flatMap((o) =>
        o.error ? [`registry validation failed for package ${o.i} (${o.pkg.identifier}): ${o.error}`] : [],
      );
      if (errors.length) throw badRequest(failure, errors);
      return outcomes.flatMap((o) =>
        o.warning ? [`package ${o.i} (${o.pkg.identifier}): ${o.warning}`] : [],
      );
    },
  };
}

/** The operator-configured hosts: reached without the public-address rule (they may be private mirrors). */
function hostsOf(urls: PackageRegistryUrls): Set<string> {
  return new Set(
    [urls.npm, urls.pypi, urls.nuget, urls.cargo, ...Object.values(urls.hostOverrides)].map(
      (u) => new URL(u).host,
    ),
  );
}

/** The checker the configuration asks for, or undefined when package validation is off. */
export function ownershipFromConfig(config: Config): OwnershipChecker | undefined {
  if (!config.packageValidation) return undefined;
  return createOwnershipChecker({
    urls: config.packageValidation,
    userAgent: `MCP-Registry-Validator/1.0 (mcp-static-registry ${config.version.version})`,
  });
}
