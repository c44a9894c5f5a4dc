import { domainPermissions } from '../../../core/namespaces.js';
import type { DnsResolver } from '../../../net/dns.js';
import {
  checkDomainAndTimestamp,
  parseKeyRecords,
  type SignedTimestampBody,
  signedTimestampSchema,
  verifySignedTimestamp,
} from '../proofs/signed-timestamp.js';
import { type AuthProvider, ProofFailed } from '../provider.js';

/**
 * `POST /auth/dns {domain, timestamp, signed_timestamp}`: the key is in a TXT record at the apex
 * of the domain (DNS_SERVERS or the system resolver, 5 s); grants `<reversed>/*` and, for
 * subdomains, `<reversed>.*`. A key found only under a selector (`_mcp-auth.`, `_mcp-registry.`)
 * is reported as such, so a publisher sees why the apex lookup found nothing.
 */
const SELECTORS = ['_mcp-auth', '_mcp-registry'];

export function createDnsProvider(deps: { resolver: DnsResolver }): AuthProvider<SignedTimestampBody> {
  return {
    method: 'dns',
    path: 'dns',
    bodySchema: signedTimestampSchema,
    isAdmin: false,
    failureDetail: 'DNS authentication failed',
    async authenticate({ domain, timestamp, signed_timestamp }, now) {
      checkDomainAndTimestamp(domain, timestamp, now);
      const records = await deps.resolver.txt(domain);
      if (parseKeyRecords(records).length === 0) {
        for (const selector of SELECTORS) {
          const misplaced = await deps.resolver.txt(`${selector}.${domain}`);
          if (parseKeyRecords(misplaced).length > 0) {
            throw new ProofFailed(
              `no MCP public key found in DNS TXT records at ${domain}; one was found at ${selector}.${domain}: the record must be at the domain itself`,
            );
          }
        }
      }
      verifySignedTimestamp(records, timestamp, signed_timestamp, 'DNS TXT records');
      return { subject: domain, permissions: domainPermissions(domain, { subdomains: true }) };
    },
  };
}
