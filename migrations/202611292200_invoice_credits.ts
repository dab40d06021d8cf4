import type { Knex } from 'knex';

const instant = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

/**
 * Credits on invoice bookings: each one lowers what the booking's invoice asks for, when staff cancel it (or some of
 * its seats) or the event is cancelled. One row per credit, never edited, with what the credit-note document will
 * need: the booking, the amount (minor units), the seats it gives up, what the refund policy kept, why, who and when.
 * What an invoice still asks for is total − credits − bank payments received (`finance/outstanding.ts`).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('credits', (t) => {
    t.increments('id');
    t.integer('booking_id').notNullable().references('id').inTable('bookings');
    t.integer('amount').notNullable();
    t.string('currency', 3).notNullable();
    /** Minor units the event's refund policy kept on these seats (their price less this credit). */
    t.integer('fee_kept').notNullable().defaultTo(0);
    t.string('reason', 500).notNullable();
    /** JSON array of the attendee ids (seats) this credit gives up. */
    t.text('attendee_ids').notNullable();
    t.integer('user_id').references('id').inTable('users').onDelete('SET NULL');
    t.string('created_by', 254).notNullable();
    instant(t, 'created_at').notNullable();
    t.index(['booking_id']);
    t.check('?? > 0', ['amount'], 'credits_amount_positive');
    t.check('?? >= 0', ['fee_kept'], 'credits_fee_kept_not_negative');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('credits');
}
