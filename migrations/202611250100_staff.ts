import type { Knex } from 'knex';

const instant = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.string('email', 254).notNullable();
    t.string('email_normalised', 254).notNullable().unique();
    t.string('name', 200).notNullable();
    t.string('role', 20).notNullable();
    t.string('password_hash', 200).notNullable();
    t.boolean('is_active').notNullable().defaultTo(true);
    instant(t, 'last_sign_in_at');
    instant(t, 'created_at').notNullable();
    instant(t, 'updated_at').notNullable();
  });

  // Only a hash of the session id is stored; user_id is null for the short-lived session that carries
  // the sign-in form's CSRF token before anyone has signed in.
  await knex.schema.createTable('sessions', (t) => {
    t.increments('id');
    t.string('id_hash', 64).notNullable().unique();
    t.integer('user_id').references('id').inTable('users').onDelete('CASCADE');
    t.string('csrf_token', 64).notNullable();
    instant(t, 'created_at').notNullable();
    instant(t, 'last_seen_at').notNullable();
    instant(t, 'expires_at').notNullable();
    t.index(['expires_at']);
  });

  await knex.schema.createTable('api_tokens', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('name', 100).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    instant(t, 'created_at').notNullable();
    instant(t, 'last_used_at');
    instant(t, 'revoked_at');
  });

  await knex.schema.createTable('sign_in_failures', (t) => {
    t.increments('id');
    t.string('email_normalised', 254).notNullable();
    t.string('ip', 64).notNullable();
    instant(t, 'at').notNullable();
    t.index(['email_normalised', 'ip', 'at']);
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.increments('id');
    t.integer('user_id').references('id').inTable('users').onDelete('SET NULL');
    t.string('actor', 254).notNullable();
    t.string('action', 60).notNullable();
    t.string('target_type', 40).notNullable();
    t.string('target_id', 120);
    t.text('details').notNullable().defaultTo('{}');
    instant(t, 'at').notNullable();
    t.index(['at']);
    t.index(['target_type', 'target_id']);
  });

  await knex.schema.createTable('members', (t) => {
    t.increments('id');
    t.string('email', 254).notNullable();
    t.string('email_normalised', 254).notNullable().unique();
    t.string('name', 200).notNullable();
    t.string('membership_number', 40).notNullable();
    // A calendar date, not an instant: membership runs to the end of that day wherever you are.
    t.string('expires_on', 10).notNullable();
    instant(t, 'imported_at').notNullable();
    t.index(['expires_on']);
  });

  await knex.schema.createTable('staff_messages', (t) => {
    t.increments('id');
    t.integer('event_id').notNullable().references('id').inTable('events').onDelete('CASCADE');
    t.integer('user_id').references('id').inTable('users').onDelete('SET NULL');
    t.string('sent_by', 200).notNullable();
    t.string('audience', 20).notNullable();
    t.string('subject', 200).notNullable();
    t.text('body').notNullable();
    t.integer('recipients').notNullable();
    instant(t, 'created_at').notNullable();
    t.index(['event_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['staff_messages', 'members', 'audit_log', 'sign_in_failures', 'api_tokens', 'sessions', 'users']) {
    await knex.schema.dropTableIfExists(table);
  }
}
