import type { FastifyInstance } from 'fastify';
import { authenticate } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import type { WriteContext } from '../services/context.js';
import { publishVersion } from '../services/publish.js';

export function registerPublishRoutes(
  app: FastifyInstance,
  deps: { write: WriteContext; tokens: TokenService },
) {
  app.post('/publish', async (request) => {
    const actor = await authenticate(request, deps.tokens);
    return publishVersion(deps.write, request.body, actor);
  });
}
