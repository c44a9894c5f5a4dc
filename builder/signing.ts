import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/**
 * The site signing key (Ed25519). The builder signs the registry root and every snapshot manifest
 * with it (detached `.sig` objects holding the raw 64-byte signature) and publishes the public key in
 * the tree, so an aggregator can verify what it downloaded with OpenSSL or any Ed25519 library.
 */
export interface SiteSigner {
  sign(data: Uint8Array): Uint8Array;
  publicKeyPem: string;
  publicKeyJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string; use: 'sig'; alg: 'EdDSA' };
}

// DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function createSiteSigner(seed: Uint8Array): SiteSigner {
  if (seed.length !== 32) throw new RangeError('an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(seed)]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' }) as { x: string };
  return {
    sign: (data) => new Uint8Array(sign(null, data, privateKey)),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    publicKeyJwk: {
      kty: 'OKP',
      crv: 'Ed25519',
      x: jwk.x,
      kid: `site-${jwk.x.slice(0, 8)}`,
      use: 'sig',
      alg: 'EdDSA',
    },
  };
}

/** What an aggregator does: check a detached signature against the published PEM public key. */
export function verifyDetached(publicKeyPem: string, data: Uint8Array, signature: Uint8Array): boolean {
  const key: KeyObject = createPublicKey(publicKeyPem);
  return verify(null, data, key, signature);
}
