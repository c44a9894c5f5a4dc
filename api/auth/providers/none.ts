import { ANONYMOUS_NAMESPACE } from '../../../core/permissions.js';
import type { AuthProvider } from '../provider.js';

/** Anonymous sign-in for development and tests: publish and edit in the anonymous namespace only. */
export function createNoneProvider(): AuthProvider {
  return {
    method: 'none',
    path: 'none',
    bodySchema: undefined,
    isAdmin: false,
    failureDetail: 'Token exchange failed',
    async authenticate() {
      const resource = `${ANONYMOUS_NAMESPACE}/*`;
      return {
        subject: 'anonymous',
        permissions: [
          { action: 'publish', resource },
          { action: 'edit', resource },
        ],
      };
    },
  };
}
