import type { Knex } from 'knex';

const instant = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

/**
 * Finance documents (issue 11): invoices, receipts and credit notes.
 *
 * - `document_counters`: one row per number series and financial year (April to March), holding the last number
 *   given. A number is taken with one `INSERT … ON CONFLICT DO UPDATE SET last_number = last_number + 1 RETURNING`
 *   inside the transaction that issues the document, so the row stays locked until that transaction ends: a
 *   rolled-back booking gives its number back, and the series has no gaps.
 * - `finance_documents`: one row per issued document, never edited. `snapshot` is the whole document as issued (JSON:
 *   who issued it to whom, the lines, the amounts and VAT, the references, the issue instant); the PDF is rendered
 *   from it, byte for byte the same each time. The source columns (payment, refund, credit) are unique, so the same
 *   money never gets two documents.
 * - `bookings` gains the billing contact's email and postal address (the existing `billing_contact` is their name).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('document_counters', (t) => {
    t.string('series', 20).notNullable();
    t.integer('financial_year').notNullable();
    t.integer('last_number').notNullable();
    t.primary(['series', 'financial_year']);
  });
  await knex.schema.createTable('finance_documents', (t) => {
    t.increments('id');
    /** `invoice`, `receipt`, `credit_note`. */
    t.string('kind', 20).notNullable();
    t.string('number', 40).notNullable().unique();
    t.string('series', 20).notNullable();
    t.integer('financial_year').notNullable();
    t.integer('sequence').notNullable();
    t.integer('booking_id').notNullable().references('id').inTable('bookings');
    /** Gross amount of the document in minor units (for a credit note: the amount credited, positive). */
    t.integer('amount').notNullable();
    t.string('currency', 3).notNullable();
    /** The document a credit note credits (an invoice or a receipt); null otherwise. */
    t.integer('credits_document_id').references('id').inTable('finance_documents');
    t.integer('payment_id').references('id').inTable('payments').unique();
    t.integer('refund_id').references('id').inTable('refunds').unique();
    t.integer('credit_id').references('id').inTable('credits').unique();
    t.text('snapshot').notNullable();
    instant(t, 'issued_at').notNullable();
    t.unique(['series', 'financial_year', 'sequence']);
    t.index(['booking_id']);
    t.index(['financial_year', 'kind']);
    t.check("?? in ('invoice', 'receipt', 'credit_note')", ['kind'], 'finance_documents_kind');
    t.check('?? >= 0', ['amount'], 'finance_documents_amount_not_negative');
  });
  // One invoice per booking, whatever the concurrency (a partial unique index: both PostgreSQL and SQLite have them).
  await knex.raw("CREATE UNIQUE INDEX finance_documents_one_invoice ON finance_documents (booking_id) WHERE kind = 'invoice'");
  await knex.schema.alterTable('bookings', (t) => {
    t.string('billing_email', 254);
    t.string('billing_address', 1000);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('bookings', (t) => {
    t.dropColumn('billing_address');
    t.dropColumn('billing_email');
  });
  await knex.schema.dropTable('finance_documents');
  await knex.schema.dropTable('document_counters');
}
