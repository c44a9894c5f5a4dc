import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { ProofFailed } from '../provider.js';

/**
 * Verifies identity tokens from an OIDC issuer (GitHub Actions, the admin OIDC provider): signature
 * against the issuer's JWKS (jose's remote key set: cached, fetched again for an unknown `kid`,
 * at most once per cooldown), the allowed algorithms only (never `none`, never HMAC), issuer,
 * audience, and `exp` required (`nbf` honoured). The JWKS URL is given, or read once from the
 * issuer's discovery document. Errors say which check failed, never the token.
 */
export interface JwtVerifierOptions {
  issuer: string;
  audience: string;
  /** The JWKS URL, or undefined to read `jwks_uri` from `<issuer>/.well-known/openid-configuration`. */
  jwksUrl: string | undefined;
  algorithms: string[];
  timeoutMs?: number;
}

export type JwtVerifier = (token: string, now: Date) => Promise<JWTPayload>;

export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let keySet: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const keys = () => {
    keySet ??= jwksUrlOf(options, timeoutMs).then((url) =>
      createRemoteJWKSet(new URL(url), {
        timeoutDuration: timeoutMs,
        cooldownDuration: 30_000,
        cacheMaxAge: 600_000,
      }),
    );
    // A failed discovery is retried on the next sign-in rather than remembered.
    keySet.catch(() => {
      keySet = undefined;
    });
    return keySet;
  };
  return async (token, now) => {
    try {
      const { payload } = await jwtVerify(token, await keys(), {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: options.algorithms,
        requiredClaims: ['exp'],
        currentDate: now,
      });
      return payload;
    } catch (e) {
      throw new ProofFailed(describe(e));
    }
  };
}

async function jwksUrlOf(options: JwtVerifierOptions, timeoutMs: number): Promise<string> {
  if (options.jwksUrl) return options.jwksUrl;
  const url = `${options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  if (!res.ok) throw new ProofFailed(`could not read the issuer's discovery document (HTTP ${res.status})`);
  const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
  if (doc.issuer !== options.issuer)
    throw new ProofFailed("the issuer's discovery document names another issuer");
  if (typeof doc.jwks_uri !== 'string')
    throw new ProofFailed("the issuer's discovery document has no jwks_uri");
  return doc.jwks_uri;
}

function describe(e: unknown): string {
  if (e instanceof ProofFailed) return e.message;
  if (e instanceof errors.JWTExpired) return 'token has expired';
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'nbf') return 'token is not yet valid';
    if (e.claim === 'iss') return 'token was issued by another issuer';
    if (e.claim === 'aud') return 'token is for another audience';
    return `token claim "${e.claim}" is invalid (${e.reason})`;
  }
  if (e instanceof errors.JOSEAlgNotAllowed) return 'token signing algorithm is not allowed';
  if (e instanceof errors.JWKSNoMatchingKey) return "token is not signed by a key in the issuer's JWKS";
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'token signature verification failed';
  if (e instanceof errors.JWKSTimeout) return "the issuer's JWKS did not answer in time";
  if (e instanceof errors.JWKSInvalid) return "the issuer's JWKS is malformed";
  if (e instanceof errors.JOSEError) return `token is invalid (${e.code})`;
  if (e instanceof TypeError || e instanceof SyntaxError) return "could not fetch the issuer's keys";
  return 'token verification failed';
}
