import type { AuthConfig } from '../../../core/config-auth.js';
import { domainPermissions } from '../../../core/namespaces.js';
import type { DnsResolver } from '../../../net/dns.js';
import { safeGet } from '../../../net/safe-fetch.js';
import {
  checkDomainAndTimestamp,
  type SignedTimestampBody,
  signedTimestampSchema,
  verifySignedTimestamp,
} from '../proofs/signed-timestamp.js';
import { type AuthProvider, ProofFailed } from '../provider.js';

/**
 * `POST /auth/http {domain, timestamp, signed_timestamp}`: the key is the body of
 * `https://<domain>/.well-known/mcp-registry-auth` (200, at most 4096 bytes, 10 s, no redirects,
 * public addresses only: net/safe-fetch.ts); grants the exact reversed domain.
 */
export const HTTP_PROOF_PATH = '/.well-known/mcp-registry-auth';
export const HTTP_PROOF_MAX_BYTES = 4096;

export function createHttpProvider(
  auth: AuthConfig,
  deps: { resolver: DnsResolver; ca?: string | undefined },
): AuthProvider<SignedTimestampBody> {
  return {
    method: 'http',
    path: 'http',
    bodySchema: signedTimestampSchema,
    isAdmin: false,
    failureDetail: 'HTTP authentication failed',
    async authenticate({ domain, timestamp, signed_timestamp }, now) {
      checkDomainAndTimestamp(domain, timestamp, now);
      const res = await safeGet(`https://${domain}${HTTP_PROOF_PATH}`, {
        resolver: deps.resolver,
        allowHosts: auth.httpAllowHosts,
        timeoutMs: 10_000,
        maxBytes: HTTP_PROOF_MAX_BYTES,
        headers: { accept: 'text/plain', 'user-agent': 'mcp-registry/1.0' },
        ca: deps.ca,
      });
      if (res.status !== 200)
        throw new ProofFailed(
          `failed to fetch public key: HTTP ${res.status} from https://${domain}${HTTP_PROOF_PATH}`,
        );
      verifySignedTimestamp([res.body.trim()], timestamp, signed_timestamp, 'HTTP response');
      return { subject: domain, permissions: domainPermissions(domain, { subdomains: false }) };
    },
  };
}
