import type { FastifyInstance } from 'fastify';
import { VERSION_STATUSES } from '../../core/shapes.js';
import { authenticate } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import type { WriteContext } from '../services/context.js';
import { editVersion } from '../services/edit.js';
import { type StatusChange, setAllVersionsStatus, setVersionStatus } from '../services/status.js';
import { nameParams, nameVersionParams, parseServerName, parseVersion } from './params.js';

const statusBody = {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...VERSION_STATUSES] },
    statusMessage: { type: 'string', maxLength: 500 },
  },
} as const;

type NameVersion = { serverName: string; version: string };

export function registerServerRoutes(
  app: FastifyInstance,
  deps: { write: WriteContext; tokens: TokenService },
) {
  app.put<{ Params: NameVersion }>(
    '/servers/:serverName/versions/:version',
    { schema: { params: nameVersionParams } },
    async (request) => {
      const name = parseServerName(request.params.serverName);
      const version = parseVersion(request.params.version);
      const actor = await authenticate(request, deps.tokens);
      return editVersion(deps.write, name, version, request.body, actor);
    },
  );

  app.patch<{ Params: NameVersion; Body: StatusChange }>(
    '/servers/:serverName/versions/:version/status',
    { schema: { params: nameVersionParams, body: statusBody } },
    async (request) => {
      const name = parseServerName(request.params.serverName);
      const version = parseVersion(request.params.version);
      const actor = await authenticate(request, deps.tokens);
      return setVersionStatus(deps.write, name, version, request.body, actor);
    },
  );

  app.patch<{ Params: { serverName: string }; Body: StatusChange }>(
    '/servers/:serverName/status',
    { schema: { params: nameParams, body: statusBody } },
    async (request) => {
      const name = parseServerName(request.params.serverName);
      const actor = await authenticate(request, deps.tokens);
      return setAllVersionsStatus(deps.write, name, request.body, actor);
    },
  );
}
