import type { Knex } from 'knex';

/**
 * Search: the terms of every server in the `latest` view (its latest version, unless deleted), kept
 * by the builder (db/repositories/search-terms.ts) from core/search/text.ts. One row per server and
 * term with the best field the term occurs in; the `(term, server_name)` index in byte order serves
 * prefix ranges (`term >= 'we' and term < 'wf'`). `search_docs` gives each indexed server a small,
 * stable number for the static search index.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('search_docs', (t) => {
    t.text('server_name').primary();
    t.integer('doc_id').notNullable().unique();
  });
  await knex.schema.createTable('search_terms', (t) => {
    t.text('server_name').notNullable();
    t.text('term').notNullable();
    /** core/search/text.ts SEARCH_FIELDS index: 0 name, 1 title, 2 description, 3 package, 4 remote. */
    t.smallint('field').notNullable();
    t.primary(['server_name', 'term']);
  });
  /**
   * Term changes stored but not yet rendered: a server's terms as the index last rendered them, kept
   * from the term update until the build that renders the change has written it (a killed build
   * leaves the row, and the next build renders from it).
   */
  await knex.schema.createTable('search_pending', (t) => {
    t.text('server_name').primary();
    t.jsonb('rendered_terms').notNullable();
  });
  await knex.raw(
    'create index search_terms_prefix on search_terms (term collate "C", server_name collate "C")',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('search_pending');
  await knex.schema.dropTable('search_terms');
  await knex.schema.dropTable('search_docs');
}
