import type { Package } from '../../core/server-json.js';
import type { PackageHttp } from './http.js';

/** Where each package registry is asked; configurable so tests (and private mirrors) can point elsewhere. */
export interface PackageRegistryUrls {
  npm: string;
  pypi: string;
  /** NuGet's service index (`…/v3/index.json`). */
  nuget: string;
  cargo: string;
  /** Registry host (`docker.io`, `ghcr.io`, an MCPB download host) → base URL that answers for it. */
  hostOverrides: Readonly<Record<string, string>>;
}

export interface VerifyContext {
  http: PackageHttp;
  urls: PackageRegistryUrls;
}

/** What a passing check may say: a warning when it could not run and was skipped (OCI 429). */
export type VerifyOutcome = { warning?: string };

/** One registry type's ownership proof. Throws {@link OwnershipFailure} with the publisher's fix. */
export type PackageVerifier = (
  pkg: Package,
  serverName: string,
  ctx: VerifyContext,
) => Promise<VerifyOutcome>;

/** The package does not prove it belongs to the server; the message says what to add. */
export class OwnershipFailure extends Error {}

/** Reads a JSON body, or fails with a message naming what could not be parsed. */
export function parseJson(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new OwnershipFailure(`failed to parse ${what}: not JSON`);
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `https://registry.npmjs.org/` → `https://registry.npmjs.org` (so paths can be appended). */
export const trimSlash = (url: string) => url.replace(/\/+$/, '');
