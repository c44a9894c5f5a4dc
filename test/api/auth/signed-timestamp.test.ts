import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDomainAndTimestamp, verifySignedTimestamp } from '../../../api/auth/proofs/signed-timestamp.js';
import { proofKey, rfc3339 } from '../../helpers/peers/proof-keys.js';

/** The DNS/HTTP proof: a signature over the exact timestamp string, ±15 s, any published key. */
describe('signed timestamp proofs', () => {
  const now = new Date('2026-12-04T12:00:00Z');
  const ts = rfc3339(now);

  for (const algorithm of ['ed25519', 'ecdsap384'] as const) {
    it(`${algorithm}: the signature over the timestamp verifies; over another timestamp it does not`, () => {
      const key = proofKey(algorithm);
      verifySignedTimestamp([key.record], ts, key.sign(ts), 'DNS TXT records');
      const other = rfc3339(new Date(now.getTime() + 1000));
      assert.throws(
        () => verifySignedTimestamp([key.record], ts, key.sign(other), 'DNS TXT records'),
        /signature verification failed \(tried published key (ed25519|ecdsap384):/,
      );
    });
  }

  it('tries every published key (a stale one first) and lists the fingerprints when none matches', () => {
    const stale = proofKey('ed25519');
    const current = proofKey('ed25519');
    const stranger = proofKey('ed25519');
    verifySignedTimestamp(
      ['unrelated', stale.record, current.record],
      ts,
      current.sign(ts),
      'DNS TXT records',
    );
    const p384 = proofKey('ecdsap384');
    verifySignedTimestamp([stale.record, p384.record], ts, p384.sign(ts), 'DNS TXT records');
    const fp = (record: string) => `${record.match(/k=(\w+)/)?.[1]}:${record.match(/p=(.{8})/)?.[1]}`;
    assert.throws(
      () => verifySignedTimestamp([stale.record, current.record], ts, stranger.sign(ts), 'DNS TXT records'),
      (e: Error) => {
        assert.match(e.message, /against all 2 published keys/);
        assert.ok(e.message.includes(fp(stale.record)) && e.message.includes(fp(current.record)), e.message);
        return true;
      },
    );
  });

  it('the timestamp must be RFC 3339 and within ±15 s', () => {
    checkDomainAndTimestamp('example.com', rfc3339(new Date(now.getTime() - 15_000)), now);
    checkDomainAndTimestamp('example.com', rfc3339(new Date(now.getTime() + 15_000)), now);
    assert.throws(
      () => checkDomainAndTimestamp('example.com', rfc3339(new Date(now.getTime() - 16_000)), now),
      /timestamp outside valid window \(±15 seconds\)/,
    );
    assert.throws(
      () => checkDomainAndTimestamp('example.com', rfc3339(new Date(now.getTime() + 16_000)), now),
      /outside valid window/,
    );
    assert.throws(() => checkDomainAndTimestamp('example.com', 'yesterday', now), /invalid timestamp format/);
    assert.throws(() => checkDomainAndTimestamp('exa mple.com', ts, now), /invalid domain format/);
  });

  it('malformed records and signatures say what is wrong', () => {
    const key = proofKey('ed25519');
    assert.throws(
      () => verifySignedTimestamp(['v=MCPv1; k=ed25519; p=AAAA'], ts, 'ab', 'x'),
      /invalid Ed25519 public key size/,
    );
    assert.throws(
      () => verifySignedTimestamp(['v=MCPv1; k=rsa; p=AAAA'], ts, 'ab', 'x'),
      /unsupported public key algorithm: rsa/,
    );
    assert.throws(
      () => verifySignedTimestamp([], ts, 'ab', 'DNS TXT records'),
      /no MCP public key found in DNS TXT records/,
    );
    assert.throws(() => verifySignedTimestamp([key.record], ts, 'zz', 'x'), /must be hex/);
    assert.throws(
      () => verifySignedTimestamp([key.record], ts, 'abcd', 'x'),
      /invalid signature size for Ed25519/,
    );
  });
});
