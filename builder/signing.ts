import { sign } from 'node:crypto';
import { ed25519KeyFromSeed } from '../core/crypto.js';

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

/** The site signer of a 32-byte seed. Its signatures verify with core/crypto.ts `verifyDetached`. */
export function createSiteSigner(seed: Uint8Array): SiteSigner {
  const { privateKey, publicKey } = ed25519KeyFromSeed(seed);
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
