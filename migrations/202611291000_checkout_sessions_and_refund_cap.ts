import type { Knex } from 'knex';

const instant = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

/**
 * The booking–payment seam:
 * - `checkout_sessions` records every Checkout Session we created for a booking (each attempt), so a Stripe object is
 *   ours only when its session (or its PaymentIntent, learnt from that session) is one we recorded. Metadata is never
 *   trusted: another app on the same Stripe account can put any booking_id there.
 * - `bookings.payment_processing_since`: a delayed payment (bank debit, Pay by Bank) is in flight; the hold stays live
 *   until Stripe settles it.
 * - A payment's refunded total can never exceed its amount, checked by the database itself.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('checkout_sessions', (t) => {
    t.increments('id');
    t.integer('booking_id').notNullable().references('id').inTable('bookings');
    t.string('stripe_checkout_session_id', 255).notNullable().unique();
    t.string('stripe_payment_intent_id', 255);
    t.integer('attempt').notNullable();
    instant(t, 'created_at').notNullable();
    t.index(['booking_id']);
    t.index(['stripe_payment_intent_id']);
  });
  await knex.schema.alterTable('bookings', (t) => {
    instant(t, 'payment_processing_since');
  });
  // Why a payment we keep no money from is refunded (late, duplicate, event cancelled, booking cancelled), and which
  // email a refund sends its buyer once Stripe confirms it: never before (a refund is `requested` until then).
  await knex.schema.alterTable('payments', (t) => {
    t.string('refund_because', 30);
  });
  await knex.schema.alterTable('refunds', (t) => {
    t.string('notice', 40);
  });
  // Sessions recorded before this table existed are ours by the same rule: we saved them on the booking or payment.
  const now = new Date().toISOString();
  const known = await knex('bookings').whereNotNull('stripe_checkout_session_id').select('id', 'stripe_checkout_session_id', 'stripe_payment_intent_id', 'checkout_attempts');
  const fromPayments = await knex('payments').whereNotNull('stripe_checkout_session_id').whereNotNull('booking_id').select('booking_id', 'stripe_checkout_session_id', 'stripe_payment_intent_id');
  const rows = new Map<string, Record<string, unknown>>();
  for (const b of known) rows.set(b.stripe_checkout_session_id, { booking_id: b.id, stripe_checkout_session_id: b.stripe_checkout_session_id, stripe_payment_intent_id: b.stripe_payment_intent_id, attempt: Math.max(1, Number(b.checkout_attempts)), created_at: now });
  for (const p of fromPayments) if (!rows.has(p.stripe_checkout_session_id)) rows.set(p.stripe_checkout_session_id, { booking_id: p.booking_id, stripe_checkout_session_id: p.stripe_checkout_session_id, stripe_payment_intent_id: p.stripe_payment_intent_id, attempt: 1, created_at: now });
  for (const row of rows.values()) await knex('checkout_sessions').insert(row);

  if (knex.client.config.client === 'pg') {
    await knex.raw('ALTER TABLE payments ADD CONSTRAINT payments_refund_cap CHECK (amount_refunded >= 0 AND amount_refunded <= amount)');
    await knex.raw('ALTER TABLE bookings ADD CONSTRAINT bookings_refund_cap CHECK (refunded_total >= 0 AND refunded_total <= total)');
  } else {
    // SQLite cannot add a CHECK to an existing table; triggers enforce the same rule.
    for (const [table, refunded, amount] of [['payments', 'amount_refunded', 'amount'], ['bookings', 'refunded_total', 'total']]) {
      for (const op of ['INSERT', 'UPDATE']) {
        await knex.raw(
          `CREATE TRIGGER ${table}_refund_cap_${op.toLowerCase()} BEFORE ${op} ON ${table} WHEN NEW.${refunded} < 0 OR NEW.${refunded} > NEW.${amount} BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: ${table}_refund_cap'); END`,
        );
      }
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') {
    await knex.raw('ALTER TABLE payments DROP CONSTRAINT payments_refund_cap');
    await knex.raw('ALTER TABLE bookings DROP CONSTRAINT bookings_refund_cap');
  } else {
    for (const table of ['payments', 'bookings']) for (const op of ['insert', 'update']) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_refund_cap_${op}`);
  }
  await knex.schema.alterTable('bookings', (t) => t.dropColumn('payment_processing_since'));
  await knex.schema.alterTable('payments', (t) => t.dropColumn('refund_because'));
  await knex.schema.alterTable('refunds', (t) => t.dropColumn('notice'));
  await knex.schema.dropTable('checkout_sessions');
}
