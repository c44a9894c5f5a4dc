import { createHash, createPrivateKey, createPublicKey, type KeyObject, verify } from 'node:crypto';

/**
 * The project's cryptography, in one place: content hashes of the static tree, Ed25519 keys from a
 * 32-byte seed (registry tokens and the site signing key are both configured as seeds), and the
 * detached-signature check an aggregator runs. Pure computation, no I/O, so `mcp-registry verify`
 * depends on core alone.
 */

/** Lowercase hex SHA-256, as recorded in tree_objects and the snapshot manifests. */
export function sha256Hex(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

// DER prefix of a PKCS#8 Ed25519 private key (RFC 8410); the 32-byte seed follows.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The Ed25519 key pair a 32-byte seed stands for (`openssl rand -hex 32` makes one). */
export function ed25519KeyFromSeed(seed: Uint8Array): { privateKey: KeyObject; publicKey: KeyObject } {
  if (seed.length !== 32) throw new RangeError('an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(seed)]),
    format: 'der',
    type: 'pkcs8',
  });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/** What an aggregator does: check a detached Ed25519 signature against a public key (PEM or key). */
export function verifyDetached(
  publicKey: string | KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  return verify(null, data, key, signature);
}
