import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { FetchRefused } from './errors.js';

/**
 * DNS lookups for sign-in proofs and outbound requests: the system resolver by default, or the
 * servers in `DNS_SERVERS` (`host:port`, e.g. a test server on loopback). One resolver serves TXT
 * proofs and the addresses the safe fetch connects to, so both see the same answers.
 */
export interface DnsResolver {
  /** TXT records of a name, each record's character-strings joined; [] when the name has none. */
  txt(name: string): Promise<string[]>;
  /** A and AAAA addresses of a name; throws FetchRefused when there are none. */
  addresses(name: string): Promise<{ address: string; family: 4 | 6 }[]>;
}

const NO_DATA = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'ENONAME']);

export function createDnsResolver(servers: readonly string[] | undefined, timeoutMs = 5_000): DnsResolver {
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  if (servers?.length) resolver.setServers([...servers]);
  const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? '';

  return {
    async txt(name) {
      try {
        return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
      } catch (e) {
        if (NO_DATA.has(code(e))) return [];
        throw new FetchRefused(`DNS lookup of ${name} failed (${code(e) || 'error'})`, { cause: e });
      }
    },

    async addresses(name) {
      if (isIP(name)) return [{ address: name, family: isIP(name) as 4 | 6 }];
      if (!servers?.length) {
        try {
          return (await dns.lookup(name, { all: true, verbatim: true })).map((a) => ({
            address: a.address,
            family: a.family as 4 | 6,
          }));
        } catch (e) {
          throw new FetchRefused(`${name} does not resolve (${code(e) || 'error'})`, { cause: e });
        }
      }
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
      const found = [
        ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 as const })) : []),
        ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 as const })) : []),
      ];
      if (found.length === 0) throw new FetchRefused(`${name} does not resolve`);
      return found;
    },
  };
}
