import type { FastifyInstance } from 'fastify';
import { MAX_JSON_DEPTH } from '../../core/limits.js';
import {
  jsonNestsDeeper,
  type ServerJsonValidator,
  type ValidationResult,
} from '../../core/validation/index.js';
import { TOO_DEEP_DETAIL } from '../guards.js';
import { quoteSafely } from '../problem.js';

const INVALID_JSON = Symbol('invalid-json');
const TOO_DEEP = Symbol('too-deep');

interface InvalidJson {
  [INVALID_JSON]: string;
}

/**
 * POST /validate always answers 200 with {valid, issues}: even a body that is not JSON is reported
 * as an issue rather than an error, so this route parses its own body.
 */
export function registerValidateRoutes(app: FastifyInstance, deps: { validator: ServerJsonValidator }) {
  app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      // Nesting is measured on the text first: parsing a deeply nested body is itself the cost.
      if (jsonNestsDeeper(body as string, MAX_JSON_DEPTH)) {
        done(null, { [TOO_DEEP]: true });
        return;
      }
      try {
        done(null, JSON.parse(body as string));
      } catch (err) {
        done(null, { [INVALID_JSON]: quoteSafely((err as Error).message) } satisfies InvalidJson);
      }
    });
    scope.post('/validate', async (request): Promise<ValidationResult> => {
      const body = request.body as unknown;
      if (body && typeof body === 'object' && TOO_DEEP in body) {
        return {
          valid: false,
          issues: [
            {
              type: 'json',
              path: '',
              message: TOO_DEEP_DETAIL,
              severity: 'error',
              reference: 'limit-depth',
            },
          ],
        };
      }
      if (body && typeof body === 'object' && INVALID_JSON in body) {
        return {
          valid: false,
          issues: [
            {
              type: 'json',
              path: '',
              message: `invalid JSON: ${(body as InvalidJson)[INVALID_JSON]}`,
              severity: 'error',
              reference: 'json-syntax',
            },
          ],
        };
      }
      return deps.validator.validate(body);
    });
  });
}
