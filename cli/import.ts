import { readFile } from 'node:fs/promises';
import type { Actor } from '../api/services/context.js';
import { publishVersion } from '../api/services/publish.js';
import { isRegistryError } from '../core/errors.js';
import { createServerJsonValidator } from '../core/validation/index.js';
import type { Database } from '../db/connect.js';
import { ImportFileError } from './errors.js';

export interface ImportOutcome {
  index: number;
  name: string | undefined;
  version: string | undefined;
  result: 'stored' | 'invalid' | 'rejected' | 'failed';
  reasons: string[];
}

export interface ImportSummary {
  file: string;
  total: number;
  stored: number;
  invalid: number;
  rejected: number;
  failed: number;
  outcomes: ImportOutcome[];
}

/** Operator import: every rule of a publish applies, with rights on every namespace. */
const IMPORT_ACTOR: Actor = {
  id: 'cli:import',
  permissions: [
    { action: 'publish', resource: '*' },
    { action: 'edit', resource: '*' },
  ],
};

/** What a crawl of the official list API saves: `{servers: [{server, _meta}], metadata}`. */
export function isListResponse(doc: unknown): doc is { servers: unknown[] } {
  return typeof doc === 'object' && doc !== null && Array.isArray((doc as { servers?: unknown }).servers);
}

/** The seed array as it is, or the server.json of each item of a list response. */
function serverJsonDocuments(doc: unknown): unknown {
  if (!isListResponse(doc)) return doc;
  return doc.servers.map((item) =>
    item && typeof item === 'object' ? (item as { server?: unknown }).server : item,
  );
}

/** Reads and parses an import file, with one clear error when it cannot. */
export async function readImportFile(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ImportFileError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

/**
 * Loads a file of server.json documents (the official seed format: a JSON array) through the same
 * publish path as the API, one transaction per entry. Invalid entries and rule violations (a
 * duplicate version, say) are reported with their reasons; only an entry that failed for another
 * reason (the database went away) counts as a failure of the run.
 */
export async function importFile(
  db: Database,
  file: string,
  onProgress?: (outcome: ImportOutcome, done: number, total: number) => void,
): Promise<ImportSummary> {
  let entries: unknown = await readImportFile(file);
  entries = serverJsonDocuments(entries);
  if (!Array.isArray(entries)) {
    throw new ImportFileError(
      `${file} is not a JSON array of server.json documents (nor an official list response: {servers: [{server, _meta}]})`,
    );
  }
  const ctx = { knex: db.knex, validator: createServerJsonValidator() };
  const outcomes: ImportOutcome[] = [];
  for (const [index, entry] of entries.entries()) {
    const e = (entry && typeof entry === 'object' ? entry : {}) as { name?: unknown; version?: unknown };
    const name = typeof e.name === 'string' ? e.name : undefined;
    const version = typeof e.version === 'string' ? e.version : undefined;
    const outcome: ImportOutcome = { index, name, version, result: 'stored', reasons: [] };
    try {
      await publishVersion(ctx, entry, IMPORT_ACTOR);
    } catch (err) {
      if (isRegistryError(err) && err.status === 422) outcome.result = 'invalid';
      else if (isRegistryError(err) && err.status < 500) outcome.result = 'rejected';
      else outcome.result = 'failed';
      outcome.reasons =
        isRegistryError(err) && err.errors?.length
          ? err.errors.map((i) => (i.location ? `${i.location}: ${i.message}` : i.message))
          : [(err as Error).message];
    }
    outcomes.push(outcome);
    onProgress?.(outcome, index + 1, entries.length);
  }
  const count = (r: ImportOutcome['result']) => outcomes.filter((o) => o.result === r).length;
  return {
    file,
    total: entries.length,
    stored: count('stored'),
    invalid: count('invalid'),
    rejected: count('rejected'),
    failed: count('failed'),
    outcomes,
  };
}
