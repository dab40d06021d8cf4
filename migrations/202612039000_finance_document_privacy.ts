import type { Knex } from 'knex';

/**
 * Finance documents under the retention rules (issue 17 applied to issue 11): `finance_documents.personal_data_removed_at`
 * says when the names, emails and addresses inside a document's snapshot were replaced by the neutral markers, once
 * `RETENTION_FINANCE_YEARS` had passed after the end of its financial year. Until then the snapshot stays as issued.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('finance_documents', (t) => {
    t.timestamp('personal_data_removed_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('finance_documents', (t) => {
    t.dropColumn('personal_data_removed_at');
  });
}
