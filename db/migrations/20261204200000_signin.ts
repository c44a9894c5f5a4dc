import type { Knex } from 'knex';

/**
 * Publisher sign-in state. `users` gains the display name (a GitHub login, which can change, next
 * to the stable numeric id kept in `subject`). Domain verification: a pending challenge per
 * (identity, domain), replaced by a new request; a verification per (identity, domain) with an
 * expiry and an admin revocation. Blocked namespaces managed by admins (on top of the setting).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.text('login').nullable();
  });
  await knex.schema.createTable('domain_challenges', (t) => {
    t.text('identity').notNullable();
    t.text('domain').notNullable();
    t.text('token').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.primary(['identity', 'domain']);
  });
  await knex.schema.createTable('domain_verifications', (t) => {
    t.bigIncrements('id').primary();
    t.text('identity').notNullable();
    t.text('domain').notNullable();
    t.timestamp('verified_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.text('revoked_by').nullable();
    t.unique(['identity', 'domain'], { indexName: 'domain_verifications_identity_domain_uq' });
  });
  await knex.schema.createTable('blocked_namespaces', (t) => {
    t.text('namespace').primary();
    t.text('reason').nullable();
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('blocked_namespaces');
  await knex.schema.dropTableIfExists('domain_verifications');
  await knex.schema.dropTableIfExists('domain_challenges');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('login');
  });
}
