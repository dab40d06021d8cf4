import type { Knex } from 'knex';

const instant = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

/**
 * Staff accounts (issue 14): invitations and password resets by emailed link, two-factor sign-in (TOTP, RFC 6238)
 * with recovery codes, sessions half-way through sign-in, and the administrators' settings.
 *
 * - An invited account has `password_hash = ''` until its owner follows the link: no password can match it, and
 *   sign-in treats it as an unknown account. (Making the column nullable would mean rebuilding `users` on SQLite,
 *   which the tables that refer to it make risky.)
 * - `totp_secret` and `totp_pending_secret` hold the secret encrypted (AES-256-GCM, key derived from SESSION_SECRET):
 *   a copy of the database alone does not give anyone the codes. `totp_last_step` is the RFC 6238 time step of the
 *   last code accepted; a code from that step or an earlier one is refused (replay).
 * - `sessions.stage` is null for a signed-in session; `code` while the person owes a two-factor code, `enrol` while
 *   they must set up two-factor before anything else. Such a session grants nothing but that step.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    instant(t, 'password_changed_at');
    t.text('totp_secret');
    t.text('totp_pending_secret');
    instant(t, 'totp_enabled_at');
    t.integer('totp_last_step');
  });

  await knex.schema.alterTable('sessions', (t) => {
    t.string('stage', 10);
    t.integer('code_failures').notNullable().defaultTo(0);
    t.index(['user_id']);
  });

  // Set-password links (invitations and resets). The link's token is an HMAC of `nonce` under SESSION_SECRET,
  // computed when the email is rendered; only its sha256 is stored, so the table alone opens nothing.
  await knex.schema.createTable('staff_links', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('purpose', 10).notNullable();
    t.string('nonce', 64).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    instant(t, 'created_at').notNullable();
    instant(t, 'expires_at').notNullable();
    instant(t, 'used_at');
    instant(t, 'revoked_at');
    t.index(['user_id']);
    t.index(['expires_at']);
  });

  // Ten single-use codes per person, for when the authenticator is lost; only their sha256 is stored.
  await knex.schema.createTable('recovery_codes', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('code_hash', 64).notNullable();
    instant(t, 'created_at').notNullable();
    instant(t, 'used_at');
    t.index(['user_id']);
  });

  // Settings administrators change in the staff area (each change is in the audit log).
  await knex.schema.createTable('settings', (t) => {
    t.string('key', 60).primary();
    t.text('value').notNullable();
    instant(t, 'updated_at').notNullable();
  });

  // Accounts made before this migration have a password; when it was set is not known, so their creation stands in.
  await knex('users').update({ password_changed_at: knex.ref('created_at') });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('settings');
  await knex.schema.dropTableIfExists('recovery_codes');
  await knex.schema.dropTableIfExists('staff_links');
  await knex.schema.alterTable('sessions', (t) => {
    t.dropIndex(['user_id']);
    t.dropColumn('code_failures');
    t.dropColumn('stage');
  });
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('totp_last_step');
    t.dropColumn('totp_enabled_at');
    t.dropColumn('totp_pending_secret');
    t.dropColumn('totp_secret');
    t.dropColumn('password_changed_at');
  });
}
