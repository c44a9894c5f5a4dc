import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CURRENT_SCHEMA_VERSION,
  createServerJsonValidator,
  SCHEMA_VERSIONS,
  schemaUrlFor,
  type ValidationResult,
} from '../../core/validation/index.js';

/** The official examples and seeds (shared/spec, copied from modelcontextprotocol/registry). */
const SPEC = process.env.MCP_SPEC_DIR ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'spec');
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const readSeed = (file: string): Record<string, unknown>[] => {
  const data = readJson(join(SPEC, 'seed', file));
  assert.ok(Array.isArray(data));
  return data as Record<string, unknown>[];
};

const validator = createServerJsonValidator();
const errorsOf = (r: ValidationResult) => r.issues.filter((i) => i.severity === 'error');
const codePoints = (s: unknown) => (typeof s === 'string' ? [...s].length : -1);

describe('official data', () => {
  it('ships the six dated schemas, current one last', () => {
    assert.deepEqual(SCHEMA_VERSIONS, [
      '2025-07-09',
      '2025-09-16',
      '2025-09-29',
      '2025-10-11',
      '2025-10-17',
      '2025-12-11',
    ]);
    assert.equal(CURRENT_SCHEMA_VERSION, '2025-12-11');
    const vendored = join(import.meta.dirname, '..', '..', 'core', 'validation', 'schemas');
    for (const version of SCHEMA_VERSIONS) {
      const file = `${version}.server.schema.json`;
      assert.equal(
        readFileSync(join(vendored, file), 'utf8'),
        readFileSync(join(SPEC, 'schemas', file), 'utf8'),
        `${file} is a verbatim copy`,
      );
    }
  });

  it('accepts every example without any issue', () => {
    const dir = join(SPEC, 'examples');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.equal(files.length, 16);
    for (const file of files) {
      const result = validator.validate(readJson(join(dir, file)));
      assert.deepEqual(result.issues, [], file);
      assert.equal(result.valid, true, file);
    }
  });

  it('accepts every entry of the current seed without any issue', () => {
    const seed = readSeed('seed.2026-04.json');
    assert.ok(seed.length > 0);
    for (const entry of seed) assert.deepEqual(validator.validate(entry).issues, [], String(entry.name));
  });

  describe('seed of 2025-09-29 (no $schema, old package shapes)', () => {
    const seed = readSeed('seed.2025-09-29.json');
    const withCurrentSchema = seed.map(
      (entry): Record<string, unknown> => ({
        $schema: schemaUrlFor(CURRENT_SCHEMA_VERSION),
        ...entry,
      }),
    );
    const badDescription = new Set(
      seed.flatMap((entry, i) =>
        codePoints(entry.description) < 1 || codePoints(entry.description) > 100 ? [i] : [],
      ),
    );
    // OCI packages in this seed use the pre-2025-10-11 shape (registryBaseUrl + version + short
    // identifier without tag), which the current registry refuses at publish.
    const legacyOci = new Set(
      seed.flatMap((entry, i) =>
        Array.isArray(entry.packages) &&
        entry.packages.some((p) => (p as { registryType?: unknown }).registryType === 'oci')
          ? [i]
          : [],
      ),
    );

    it('reports the missing $schema on every entry', () => {
      for (const entry of seed) {
        const result = validator.validate(entry);
        assert.equal(result.valid, false);
        assert.ok(result.issues.some((i) => i.reference === 'schema-required' && i.path === '$schema'));
      }
    });

    it('with a current $schema, fails the schema on exactly the entries with empty or >100-char descriptions', () => {
      assert.ok(badDescription.size > 0);
      const schemaFailures = new Set<number>();
      withCurrentSchema.forEach((entry, i) => {
        const schemaErrors = errorsOf(validator.validate(entry)).filter((e) => e.type === 'schema');
        if (schemaErrors.length > 0) schemaFailures.add(i);
        for (const e of schemaErrors) assert.equal(e.path, 'description', JSON.stringify(e));
      });
      assert.deepEqual(
        [...schemaFailures].sort((a, b) => a - b),
        [...badDescription].sort((a, b) => a - b),
      );
    });

    it('with a current $schema, every other error is the legacy OCI package shape', () => {
      const failing = new Set<number>();
      withCurrentSchema.forEach((entry, i) => {
        const result = validator.validate(entry);
        if (!result.valid) failing.add(i);
        for (const e of errorsOf(result).filter((x) => x.type !== 'schema')) {
          assert.ok(legacyOci.has(i), `${String(entry.name)}: ${JSON.stringify(e)}`);
          assert.ok(
            [
              'package-version-forbidden',
              'package-registry-base-url',
              'package-oci-identifier',
              'package-oci-registry',
            ].includes(e.reference),
            JSON.stringify(e),
          );
        }
      });
      const expected = new Set([...badDescription, ...legacyOci]);
      assert.deepEqual(
        [...failing].sort((a, b) => a - b),
        [...expected].sort((a, b) => a - b),
      );
    });
  });

  it('accepts an older dated $schema with a warning', () => {
    const example = readJson(join(SPEC, 'examples', '01-basic-server-with-npm-package.json')) as Record<
      string,
      unknown
    >;
    for (const version of ['2025-10-11', '2025-10-17']) {
      const result = validator.validate({ ...example, $schema: schemaUrlFor(version) });
      assert.equal(result.valid, true, version);
      assert.deepEqual(result.issues, [
        {
          type: 'semantic',
          path: '$schema',
          message: `schema version ${version} is not the current version (2025-12-11)`,
          severity: 'warning',
          reference: 'schema-version-outdated',
        },
      ]);
    }
  });

  it('validates the body against the schema its $schema names', () => {
    const example = readJson(join(SPEC, 'examples', '14-remote-server-with-url-templating-1.json')) as Record<
      string,
      unknown
    >;
    // The 2025-07-09 schema is snake_case and has no title: its Package also forbids unknown fields.
    const npm = readJson(join(SPEC, 'examples', '07-python-package-example.json')) as Record<string, unknown>;
    const old = validator.validate({ ...npm, $schema: schemaUrlFor('2025-07-09') });
    assert.equal(old.valid, false);
    assert.ok(
      old.issues.some(
        (i) => i.reference === 'schema:additionalProperties' && i.path === 'packages[0].registryType',
      ),
    );
    assert.ok(
      old.issues.some((i) => i.reference === 'schema:required' && i.path === 'packages[0].registry_type'),
    );
    // Remote URL variables only exist since 2025-12-11, but unknown fields are allowed in remotes.
    assert.equal(validator.validate({ ...example, $schema: schemaUrlFor('2025-10-17') }).valid, true);
  });
});
