import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { RateLimitConfig } from '../core/config-auth.js';
import { RegistryError } from '../core/errors.js';

/**
 * Per-client-address limits (@fastify/rate-limit, in memory, per process): one bucket for the
 * sign-in endpoints (`/auth/*`, `/verify-domain*`), one for every other write (POST, PUT, PATCH,
 * DELETE). Reads (GET) are the CDN's business. Over the limit: 429 problem+json with `Retry-After`.
 * The client address is the socket's, or X-Forwarded-For's when TRUST_PROXY says so.
 * Call before any route is registered (the routes are classified as they are added).
 */
export async function registerRateLimits(app: FastifyInstance, limits: RateLimitConfig): Promise<void> {
  if (limits.authPerMinute === 0 && limits.writePerMinute === 0) return;
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new RegistryError(429, `Too many requests from this address: retry in ${context.after}`),
  });
  const limiter = (max: number) => (max > 0 ? app.rateLimit({ max, timeWindow: 60_000 }) : undefined);
  const auth = limiter(limits.authPerMinute);
  const write = limiter(limits.writePerMinute);
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = [route.method].flat();
    const handler = /\/(auth|verify-domain)(\/|$)/.test(route.url)
      ? auth
      : methods.some((m) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(m))
        ? write
        : undefined;
    if (handler) route.onRequest = [...[route.onRequest ?? []].flat(), handler];
  });
}
