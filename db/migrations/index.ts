import type { Knex } from 'knex';
import * as init from './20261124000000_init.js';
import * as builder from './20261124100000_builder.js';
import * as operations from './20261124200000_operations.js';
import * as seenKeys from './20261124300000_seen_keys.js';
import * as hardening from './20261204100000_hardening.js';
import * as signin from './20261204200000_signin.js';
import * as mirror from './20261204300000_mirror.js';
import * as search from './20261205100000_search.js';

/**
 * Migrations are listed statically rather than loaded from a directory: knex's own dynamic import()
 * of .ts files fails under some loaders, and a static list works with tsx, node:test and compiled JS.
 * Add each new migration here, in order.
 */
const migrations: Record<string, Knex.Migration> = {
  '20261124000000_init': init,
  '20261124100000_builder': builder,
  '20261124200000_operations': operations,
  '20261124300000_seen_keys': seenKeys,
  '20261204300000_mirror': mirror,
  '20261204100000_hardening': hardening,
  '20261204200000_signin': signin,
  '20261205100000_search': search,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const migration = migrations[name];
    if (!migration) throw new Error(`unknown migration ${name}`);
    return migration;
  },
};
