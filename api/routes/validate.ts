import type { FastifyInstance } from 'fastify';
import {
  jsonShapeProblem,
  type ServerJsonValidator,
  type ShapeProblem,
  type ValidationResult,
} from '../../core/validation/index.js';
import { quoteSafely } from '../problem.js';

const INVALID_JSON = Symbol('invalid-json');
const BAD_SHAPE = Symbol('bad-shape');

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
      // The shape is measured on the text first: parsing a deeply nested body is itself the cost.
      const problem = jsonShapeProblem(body as string);
      if (problem !== undefined) {
        done(null, { [BAD_SHAPE]: problem });
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
      if (body && typeof body === 'object' && BAD_SHAPE in body) {
        const { message, reference } = (body as { [BAD_SHAPE]: ShapeProblem })[BAD_SHAPE];
        return { valid: false, issues: [{ type: 'json', path: '', message, severity: 'error', reference }] };
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
