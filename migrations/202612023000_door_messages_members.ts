import type { Knex } from 'knex';

const instant = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

/**
 * Issue 16, organisers:
 * - `bookings.is_walk_in`: a place registered at the door by staff (shown as a walk-in in exports). A walk-in who gave
 *   no email has the attendee and buyer email `''` (no notice is sent to them).
 * - `staff_messages.send_key`: the key the preview page hands to its Send button; unique, so pressing Send twice (or a
 *   retried request) records and queues the message once.
 * - `member_imports`: an uploaded member list waiting for confirmation (`pending`), then `applied` with the list it
 *   replaced kept in `previous_rows` for one undo (`undone`), or `discarded` when a newer upload or import replaced it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('bookings', (t) => {
    t.boolean('is_walk_in').notNullable().defaultTo(false);
  });
  await knex.schema.alterTable('staff_messages', (t) => {
    t.string('send_key', 64).unique();
  });
  await knex.schema.createTable('member_imports', (t) => {
    t.increments('id');
    t.string('status', 20).notNullable();
    t.text('rows').notNullable();
    t.text('previous_rows');
    t.text('summary').notNullable();
    t.string('source', 200).notNullable();
    t.integer('user_id').references('id').inTable('users').onDelete('SET NULL');
    instant(t, 'created_at').notNullable();
    instant(t, 'applied_at');
    instant(t, 'undone_at');
    t.index(['status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('member_imports');
  await knex.schema.alterTable('staff_messages', (t) => {
    t.dropUnique(['send_key']);
    t.dropColumn('send_key');
  });
  await knex.schema.alterTable('bookings', (t) => {
    t.dropColumn('is_walk_in');
  });
}
