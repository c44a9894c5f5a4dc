import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { SHARED } from './app.js';

/**
 * Validators for the official read API's response shapes, compiled from the OpenAPI file in
 * shared/spec (OpenAPI 3.1 schemas are JSON Schema 2020-12).
 */
export interface ResponseValidators {
  serverList: ValidateFunction;
  serverResponse: ValidateFunction;
}

let cached: ResponseValidators | undefined;

export function responseValidators(): ResponseValidators {
  if (cached) return cached;
  const spec = parse(readFileSync(join(SHARED, 'spec', 'openapi.registry-api.yaml'), 'utf8')) as {
    components: { schemas: Record<string, unknown> };
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema({ $id: 'openapi', components: spec.components });
  cached = {
    serverList: ajv.compile({ $ref: 'openapi#/components/schemas/ServerList' }),
    serverResponse: ajv.compile({ $ref: 'openapi#/components/schemas/ServerResponse' }),
  };
  return cached;
}
