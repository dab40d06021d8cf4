import type { Knex } from 'knex';

/**
 * Online and hybrid meetings (issue 12), on the ground laid by 202612030000_attendance_modes (events.mode,
 * attendees.mode, attendees.joined_at):
 *
 * - `events.online_capacity`: the places for people taking part online at a hybrid event (`events.capacity` stays
 *   the places in the room; an online event's places are `events.capacity`).
 * - `event_meetings`: the meeting's address, passcode, dial-in details and the time its joining links open. A table of
 *   its own, never read by the public catalogue, so no public page, feed or API can carry it by accident. It holds no
 *   personal data (the privacy and retention jobs do not look at it). `events.online_url`, which the public pages used
 *   to show, is moved here and emptied.
 * - `attendees.join_token_hash`: SHA-256 of the seat's personal joining link token (lib/links.ts `joinToken`).
 * - the reminder and follow-up rules, per event: two reminders (hours before the start; NULL = off), a thank-you to
 *   those who attended and a "sorry we missed you" to confirmed no-shows (hours after the end; each can be off).
 * - `event_follow_up_runs`: one row per event and rule once the scheduler has queued that rule's emails (the claim
 *   two instances race for, unique per event and rule).
 * - `event_materials`: slides (an upload, kept in the row, or a link) and recordings, each with who may see it.
 */
const SEAT_COLUMNS_BEFORE = 'status, event_id, ticket_type_id, booking_id';
const SEAT_COLUMNS_AFTER = 'status, event_id, ticket_type_id, booking_id, mode';
const isPg = (knex: Knex) => knex.client.config.client === 'pg';

async function seatTrigger(knex: Knex, columns: string): Promise<void> {
  if (isPg(knex)) {
    await knex.raw('DROP TRIGGER IF EXISTS catalogue_seat_changed ON attendees');
    await knex.raw(`CREATE TRIGGER catalogue_seat_changed AFTER UPDATE OF ${columns} ON attendees FOR EACH ROW EXECUTE FUNCTION catalogue_row_changed()`);
    return;
  }
  const bump = (eventId: string) => `UPDATE events SET catalogue_version = catalogue_version + 1 WHERE id = ${eventId};`;
  await knex.raw('DROP TRIGGER IF EXISTS catalogue_seat_changed');
  await knex.raw(`CREATE TRIGGER catalogue_seat_changed AFTER UPDATE OF ${columns} ON attendees BEGIN ${bump('OLD.event_id')} ${bump('NEW.event_id')} END`);
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.integer('online_capacity');
    t.integer('reminder_early_hours').defaultTo(168);
    t.integer('reminder_late_hours').defaultTo(24);
    t.boolean('thank_you_on').notNullable().defaultTo(true);
    t.boolean('missed_you_on').notNullable().defaultTo(true);
    t.integer('follow_up_hours').notNullable().defaultTo(2);
  });
  await knex.schema.createTable('event_meetings', (t) => {
    t.integer('event_id').primary().references('id').inTable('events').onDelete('CASCADE');
    t.string('url', 500);
    t.string('passcode', 100);
    t.string('dial_in', 1000);
    /** NULL: 30 minutes before the start (so it moves with the event). */
    t.timestamp('opens_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });
  const legacy = await knex('events').select('id', 'online_url', 'updated_at').whereNotNull('online_url').whereNot('online_url', '');
  for (const row of legacy) await knex('event_meetings').insert({ event_id: row.id, url: row.online_url, updated_at: row.updated_at });
  await knex('events').update({ online_url: null });

  await knex.schema.alterTable('attendees', (t) => {
    t.string('join_token_hash', 64);
    t.unique(['join_token_hash'], { indexName: 'attendees_join_token_hash_unique' });
  });
  await seatTrigger(knex, SEAT_COLUMNS_AFTER);

  await knex.schema.createTable('event_follow_up_runs', (t) => {
    t.increments('id').primary();
    t.integer('event_id').notNullable().references('id').inTable('events').onDelete('CASCADE');
    t.string('rule', 20).notNullable();
    t.timestamp('due_at', { useTz: true }).notNullable();
    t.timestamp('claimed_at', { useTz: true }).notNullable();
    t.integer('recipients').notNullable().defaultTo(0);
    /** Why nothing was sent, when the rule was claimed but not sent (no attendance recorded at all). */
    t.string('skipped_reason', 300);
    t.unique(['event_id', 'rule']);
  });

  await knex.schema.createTable('event_materials', (t) => {
    t.increments('id').primary();
    t.integer('event_id').notNullable().references('id').inTable('events').onDelete('CASCADE');
    t.string('kind', 20).notNullable();
    t.string('title', 200).notNullable();
    t.string('url', 500);
    /** An uploaded file's bytes, in the database: outside the web root, in every backup, shared by every instance. */
    t.binary('data');
    t.string('file_name', 200);
    t.string('content_type', 100);
    t.integer('size');
    t.string('visibility', 20).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['event_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('event_materials');
  await knex.schema.dropTable('event_follow_up_runs');
  await seatTrigger(knex, SEAT_COLUMNS_BEFORE);
  await knex.schema.alterTable('attendees', (t) => {
    t.dropUnique(['join_token_hash'], 'attendees_join_token_hash_unique');
    t.dropColumn('join_token_hash');
  });
  const meetings = await knex('event_meetings').select('event_id', 'url').whereNotNull('url');
  for (const row of meetings) await knex('events').where({ id: row.event_id }).update({ online_url: row.url });
  await knex.schema.dropTable('event_meetings');
  await knex.schema.alterTable('events', (t) => {
    for (const c of ['online_capacity', 'reminder_early_hours', 'reminder_late_hours', 'thank_you_on', 'missed_you_on', 'follow_up_hours']) t.dropColumn(c);
  });
}
