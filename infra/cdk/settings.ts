/**
 * Which registry settings the AWS stack and the Kubernetes manifests inject as secrets (never as plain
 * environment values), and which plain ones each role gets. Names are core/config.ts's.
 */

/** Seeds generated once at deploy time (64 hex characters: 32-byte Ed25519 seeds). */
export const GENERATED_KEYS = ['JWT_PRIVATE_KEY', 'SITE_SIGNING_KEY'] as const;

/**
 * Sign-in settings (issue 11's names): created empty (empty means off/default to loadConfig) for the
 * operator to fill in, then injected into the API. Kept secret even where a value (a client id, an
 * issuer) is not, so that one place holds all of them and none is ever in a task definition.
 */
export const SIGN_IN_SETTINGS = [
  'GITHUB_CLIENT_ID',
  'OIDC_ISSUER',
  'OIDC_AUDIENCE',
  'OIDC_EXTRA_CLAIMS',
  'OIDC_PERMISSIONS',
] as const;

/** The settings each role reads from secrets. */
export const SECRETS_BY_ROLE = {
  api: ['DATABASE_URL', 'JWT_PRIVATE_KEY', ...SIGN_IN_SETTINGS],
  builder: ['DATABASE_URL', 'SITE_SIGNING_KEY'],
  migrate: ['DATABASE_URL'],
} as const;

export type Role = keyof typeof SECRETS_BY_ROLE;
export type SecretSetting = (typeof SECRETS_BY_ROLE)[Role][number];

/** Plain settings every container gets (nothing secret). */
export const COMMON_ENVIRONMENT = {
  NODE_ENV: 'production',
  HOST: '0.0.0.0',
  PORT: '8080',
  LOG_LEVEL: 'info',
  // Publishing needs a real sign-in in production: no anonymous namespace.
  ENABLE_ANONYMOUS_AUTH: 'false',
} as const;
