import { ECDH, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

/**
 * A publisher's proof key, as `mcp-publisher` makes one: the record to publish
 * (`v=MCPv1; k=…; p=…`) and the hex signature of a timestamp string.
 */
export interface ProofKey {
  record: string;
  sign(timestamp: string): string;
}

export function proofKey(algorithm: 'ed25519' | 'ecdsap384'): ProofKey {
  if (algorithm === 'ed25519') {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
    return {
      record: `v=MCPv1; k=ed25519; p=${raw.toString('base64')}`,
      sign: (timestamp) => sign(null, Buffer.from(timestamp), privateKey).toString('hex'),
    };
  }
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  return {
    record: `v=MCPv1; k=ecdsap384; p=${compressed(publicKey).toString('base64')}`,
    sign: (timestamp) =>
      sign('sha384', Buffer.from(timestamp), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('hex'),
  };
}

function compressed(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x as string, 'base64url'),
    Buffer.from(jwk.y as string, 'base64url'),
  ]);
  return ECDH.convertKey(point, 'secp384r1', undefined, undefined, 'compressed') as Buffer;
}

/** What the official CLI signs: now, UTC, second precision. */
export const rfc3339 = (at: Date = new Date()): string => at.toISOString().replace(/\.\d{3}Z$/, 'Z');
