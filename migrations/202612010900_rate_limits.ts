import type { Knex } from 'knex';

/**
 * The abuse limits (issue 14).
 *
 * `rate_limits` is rate-limiter-flexible's store (RateLimiterSQLite / RateLimiterPostgres on the app's knex), created
 * here so that the schema is ours on both databases; the limiter is told the table exists. Its columns and their order
 * are the library's: on PostgreSQL it inserts `VALUES (key, points, expire)` without naming them. `key` is
 * `<limit name>:<keyed hash>`: no client address or email address is stored in clear. `expire` is epoch milliseconds;
 * the purge job deletes rows past it.
 *
 * `bookings.client_key` is the same keyed hash of the client address that placed a card hold, kept only while the
 * booking is `pending_payment` (every other status clears it), so that open holds can be capped per address.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rate_limits', (t) => {
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire');
    t.index(['expire'], 'rate_limits_expire_index');
  });
  await knex.schema.alterTable('bookings', (t) => {
    t.string('client_key', 64);
    t.index(['client_key', 'status'], 'bookings_client_key_index');
    t.index(['buyer_email_normalised', 'status'], 'bookings_buyer_email_status_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('bookings', (t) => {
    t.dropIndex([], 'bookings_buyer_email_status_index');
    t.dropIndex([], 'bookings_client_key_index');
  });
  await knex.schema.alterTable('bookings', (t) => {
    t.dropColumn('client_key');
  });
  await knex.schema.dropTable('rate_limits');
}
