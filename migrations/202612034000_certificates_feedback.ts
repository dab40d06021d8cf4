import type { Knex } from 'knex';

const instant = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

/**
 * CPD certificates of attendance and feedback after the event (issue 13; src/certificates, src/feedback):
 * - `certificate_settings`: an event's CPD hours (as whole minutes: 1.5 hours is 90), its line of topics or speakers,
 *   whether it issues certificates, and the fewest minutes an online attendee must have been present (NULL: half the
 *   event's length). No row: the defaults (certificates for seminars and conferences, not for evening meetings).
 * - `attendance_uploads`: a Zoom or Teams attendance report as uploaded, kept `pending` with its preview until the
 *   organiser records it (`recorded`) or a newer upload replaces it (`discarded`).
 * - `online_attendance`: how long each seat was present online, as recorded from uploads (the longest wins).
 * - `certificates`: one per seat, with its verification code (unguessable, unique), the name printed (the attendee may
 *   correct its spelling until the first download), when its email was queued and when it was first downloaded.
 * - `surveys`: an event's feedback survey: open or not, anonymous or not, a repeat answer updates or is refused, and
 *   the extra questions (JSON).
 * - `survey_responses` and `survey_answers`: the answers. In anonymous mode `attendee_id` is NULL and the response's
 *   id is random, so nothing ties answers to a person; `survey_respondents` (event, seat, nothing else) is the separate
 *   "has answered" marker that keeps anonymous responses to one per seat.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('certificate_settings', (t) => {
    t.integer('event_id').primary().references('id').inTable('events').onDelete('CASCADE');
    t.boolean('issues_certificates').notNullable();
    t.integer('cpd_minutes').notNullable().defaultTo(0);
    t.string('topics', 300).notNullable().defaultTo('');
    t.integer('min_online_minutes');
    instant(t, 'updated_at').notNullable();
    t.check('?? >= 0', ['cpd_minutes'], 'certificate_settings_cpd_minutes');
  });
  await knex.schema.createTable('attendance_uploads', (t) => {
    t.increments('id');
    t.integer('event_id').notNullable().references('id').inTable('events').onDelete('CASCADE');
    t.string('source', 10).notNullable();
    t.string('filename', 200).notNullable();
    t.text('rows').notNullable();
    t.integer('min_seconds').notNullable();
    t.string('status', 10).notNullable();
    t.integer('user_id').references('id').inTable('users').onDelete('SET NULL');
    instant(t, 'created_at').notNullable();
    instant(t, 'recorded_at');
    t.index(['event_id', 'status']);
    t.check("?? in ('pending', 'recorded', 'discarded')", ['status'], 'attendance_uploads_status');
  });
  await knex.schema.createTable('online_attendance', (t) => {
    t.integer('attendee_id').primary().references('id').inTable('attendees').onDelete('CASCADE');
    t.integer('event_id').notNullable().references('id').inTable('events').onDelete('CASCADE');
    t.integer('seconds').notNullable();
    t.integer('upload_id').references('id').inTable('attendance_uploads').onDelete('SET NULL');
    instant(t, 'recorded_at').notNullable();
    t.index(['event_id']);
  });
  await knex.schema.createTable('certificates', (t) => {
    t.increments('id');
    t.integer('attendee_id').notNullable().unique().references('id').inTable('attendees').onDelete('CASCADE');
    t.integer('event_id').notNullable().references('id').inTable('events').onDelete('CASCADE');
    t.string('code', 40).notNullable().unique();
    t.string('name', 200).notNullable();
    instant(t, 'issued_at').notNullable();
    instant(t, 'email_queued_at');
    instant(t, 'first_downloaded_at');
    instant(t, 'name_corrected_at');
    t.index(['event_id']);
  });
  await knex.schema.createTable('surveys', (t) => {
    t.integer('event_id').primary().references('id').inTable('events').onDelete('CASCADE');
    t.boolean('is_open').notNullable();
    t.boolean('is_anonymous').notNullable();
    t.string('repeat_rule', 10).notNullable();
    t.text('extra_questions').notNullable();
    instant(t, 'updated_at').notNullable();
    t.check("?? in ('update', 'refuse')", ['repeat_rule'], 'surveys_repeat_rule');
  });
  await knex.schema.createTable('survey_responses', (t) => {
    t.string('id', 36).primary();
    t.integer('event_id').notNullable().references('id').inTable('events').onDelete('CASCADE');
    t.integer('attendee_id').references('id').inTable('attendees').onDelete('CASCADE');
    // A day, not an instant: in anonymous mode a precise time could be matched to a person's visit.
    t.string('submitted_on', 10).notNullable();
    t.unique(['event_id', 'attendee_id']);
  });
  await knex.schema.createTable('survey_answers', (t) => {
    t.string('response_id', 36).notNullable().references('id').inTable('survey_responses').onDelete('CASCADE');
    t.string('question', 20).notNullable();
    t.integer('rating');
    t.text('text');
    t.primary(['response_id', 'question']);
  });
  await knex.schema.createTable('survey_respondents', (t) => {
    t.integer('event_id').notNullable().references('id').inTable('events').onDelete('CASCADE');
    t.integer('attendee_id').notNullable().references('id').inTable('attendees').onDelete('CASCADE');
    t.primary(['event_id', 'attendee_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['survey_respondents', 'survey_answers', 'survey_responses', 'surveys', 'certificates', 'online_attendance', 'attendance_uploads', 'certificate_settings']) {
    await knex.schema.dropTableIfExists(table);
  }
}
