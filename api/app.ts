import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../core/config.js';
import { RegistryError } from '../core/errors.js';
import type { ServerJsonValidator } from '../core/validation/index.js';
import type { Database } from '../db/connect.js';
import { upstreamBase } from '../mirror/upstream.js';
import { createDnsResolver, type DnsResolver } from '../net/dns.js';
import type { AuthProvider } from './auth/provider.js';
import type { TokenService } from './auth/tokens.js';
import {
  boundJsonParsing,
  guardConnections,
  guardedServerOptions,
  logEachRequest,
  refuseMalformedRequest,
  trailingSlashTarget,
} from './guards.js';
import { registerMetrics } from './metrics.js';
import { registerMirrorMetrics } from './metrics-mirror.js';
import type { OwnershipChecker } from './ownership/index.js';
import { handleError, sendProblem } from './problem.js';
import { registerRateLimits } from './rate-limit.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerAdminAuthRoutes } from './routes/admin-auth.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerMirrorRoutes } from './routes/mirror.js';
import { registerPublishRoutes } from './routes/publish.js';
import { registerQuarantineRoutes } from './routes/quarantine.js';
import { registerServerRoutes } from './routes/servers.js';
import { registerValidateRoutes } from './routes/validate.js';
import { registerVerifyDomainRoutes } from './routes/verify-domain.js';

export const API_PREFIXES = ['/v0', '/v0.1'] as const;

export interface AppDeps {
  config: Config;
  db: Database;
  logger: FastifyBaseLogger;
  validator: ServerJsonValidator;
  tokens: TokenService;
  providers: readonly AuthProvider[];
  /** DNS for the domain-verification check; default: DNS_SERVERS or the system resolver. */
  resolver?: DnsResolver;
  /** Package ownership proofs on publish and edit; absent = off. */
  ownership?: OwnershipChecker;
}

/** The write API. The entry point only listens and shuts down; everything it needs is passed in. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    // Body limit, parameter length, timeouts, Fastify's and Node's own errors as problem+json.
    ...guardedServerOptions(deps.config),
    // Requests that arrive on open connections while the server shuts down get our own 503 (below),
    // problem+json like every other error, instead of Fastify's plain JSON one.
    return503OnClosing: false,
    trustProxy: deps.config.trustProxy,
  });
  await registerRateLimits(app, deps.config.rateLimit);

  guardConnections(app, deps.config);
  logEachRequest(app);

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });

  // Only JSON bodies: without this Fastify would hand a text/plain body to the handlers as a string.
  app.removeContentTypeParser('text/plain');
  boundJsonParsing(app);

  app.addHook('onRequest', async (request, reply) => {
    if (closing) {
      // Nothing was stored: the client may safely retry against another replica or after the restart.
      reply.header('connection', 'close').header('retry-after', '5');
      return sendProblem(
        reply,
        new RegistryError(503, 'The registry is shutting down; retry in a few seconds').toProblem(),
      );
    }
    const refused = refuseMalformedRequest(request, reply);
    if (refused) return refused;
    const url = request.raw.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const search = queryAt === -1 ? '' : url.slice(queryAt + 1);
    if (/%00|\u0000/i.test(path)) {
      return sendProblem(
        reply,
        new RegistryError(400, 'Invalid request: URL path contains null bytes').toProblem(),
      );
    }
    if (/%00|\u0000/i.test(search)) {
      return sendProblem(
        reply,
        new RegistryError(400, 'Invalid request: query parameters contain null bytes').toProblem(),
      );
    }
    const target = trailingSlashTarget(path);
    if (target !== undefined) return reply.redirect(target + (search ? `?${search}` : ''), 308);
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    // The official service allows any origin (browsers call it from web UIs and editors).
    reply.header('access-control-allow-origin', '*');
    return payload;
  });

  // CORS preflight, so browser-based tools can call the write API (any origin, as the official one).
  app.options('*', async (request, reply) => {
    const asked = request.headers['access-control-request-headers'];
    return reply
      .code(204)
      .header('access-control-allow-methods', 'GET, POST, PUT, PATCH, OPTIONS')
      .header(
        'access-control-allow-headers',
        typeof asked === 'string' ? asked : 'authorization, content-type',
      )
      .header('access-control-max-age', '86400')
      .send();
  });

  app.setErrorHandler(handleError);
  const metrics = registerMetrics(app, deps.db, deps.config);
  if (deps.config.mirror) registerMirrorMetrics(metrics, deps.db, upstreamBase(deps.config.mirror.upstream));
  app.setNotFoundHandler((request, reply) => {
    const path = (request.raw.url ?? '/').split('?')[0] ?? '/';
    const versioned = API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
    const detail = versioned
      ? 'Endpoint not found. Read endpoints are served by the static site (CDN), not the write API.'
      : /^[A-Za-z0-9/_-]{1,64}$/.test(path)
        ? `Endpoint not found. Did you mean '/v0.1${path}' or '/v0${path}'?`
        : 'Endpoint not found: the API is under /v0.1 and /v0 (e.g. POST /v0.1/publish).';
    return sendProblem(reply, new RegistryError(404, detail).toProblem());
  });

  const write = {
    knex: deps.db.knex,
    validator: deps.validator,
    blockedNamespaces: deps.config.blockedNamespaces,
    ownership: deps.ownership,
    mirror: deps.config.mirror,
  };
  const signIn = {
    knex: deps.db.knex,
    tokens: deps.tokens,
    blockedNamespaces: deps.config.blockedNamespaces,
  };
  const verify = {
    knex: deps.db.knex,
    resolver: deps.resolver ?? createDnsResolver(deps.config.auth.dnsServers),
  };
  for (const prefix of API_PREFIXES) {
    await app.register(
      async (scope) => {
        registerPublishRoutes(scope, { write, tokens: deps.tokens });
        registerValidateRoutes(scope, { validator: deps.validator });
        registerServerRoutes(scope, { write, tokens: deps.tokens });
        registerAuthRoutes(scope, { signIn, providers: deps.providers });
        registerVerifyDomainRoutes(scope, { verify, tokens: deps.tokens });
        registerAdminAuthRoutes(scope, {
          write,
          tokens: deps.tokens,
          configuredBlocked: deps.config.blockedNamespaces,
        });
        registerHealthRoutes(scope, { write, config: deps.config });
        registerAdminRoutes(scope, { write, tokens: deps.tokens });
        registerMirrorRoutes(scope, { write, tokens: deps.tokens });
        registerQuarantineRoutes(scope, { write, tokens: deps.tokens });
      },
      { prefix },
    );
  }
  return app;
}
