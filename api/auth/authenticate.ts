import type { FastifyRequest } from 'fastify';
import type { Actor } from '../services/context.js';
import { type Principal, parseBearer, type TokenService } from './tokens.js';

/** Turns the request's bearer token into the actor the services check permissions against. */
export async function authenticate(request: FastifyRequest, tokens: TokenService): Promise<Actor> {
  const principal = await tokens.verify(parseBearer(request.headers.authorization));
  return { id: `${principal.authMethod}:${principal.authMethodSub}`, permissions: principal.permissions };
}

/** The token's principal itself, for routes that need more than the actor (its account identity). */
export async function authenticatePrincipal(
  request: FastifyRequest,
  tokens: TokenService,
): Promise<Principal> {
  return tokens.verify(parseBearer(request.headers.authorization));
}
