import request from 'supertest';
import { issueDueCertificates } from '../../src/certificates';
import { toDbTime } from '../../src/lib/time';
import type { TestApp } from '../support/app';
import { buildEvent, freeBookingBody } from '../support/factories';

/** The seminar every certificate test uses: Tuesday 17 March 2026, 1pm to 3pm GMT (120 minutes; half is 60). */
export const STARTS = '2026-03-17T13:00:00.000Z';
export const ENDS = '2026-03-17T15:00:00.000Z';
export const AFTER = '2026-03-17T16:00:00.000Z';

export interface Booked {
  n: number | string;
  reference: string;
  token: string;
  attendeeId: number;
  email: string;
}

/** Books person n on the event through the public API, as they would, and returns the booking's private link parts. */
export async function book(t: TestApp, slug: string, n: number | string): Promise<Booked> {
  // The seminar is hybrid, which asks each attendee how they take part (issue 12): these book in person.
  const body = freeBookingBody(n);
  const res = await request(t.app).post(`/api/v1/events/${slug}/bookings`).send({ ...body, items: body.items.map((i) => ({ attendee: { ...i.attendee, mode: 'in_person' } })) });
  if (res.status !== 201) throw new Error(`booking ${n} failed: ${res.status} ${res.text.slice(0, 200)}`);
  const url = new URL(res.body.booking.manageUrl as string);
  const seat = await t.db('attendees as a').join('bookings as b', 'b.id', 'a.booking_id').where('b.reference', res.body.booking.reference).first('a.id', 'a.email');
  return { n, reference: res.body.booking.reference, token: url.searchParams.get('token') as string, attendeeId: Number(seat.id), email: String(seat.email) };
}

export async function buildSeminar(t: TestApp, overrides: { title?: string; kind?: 'seminar' | 'evening_meeting' | 'conference' } = {}) {
  const event = await buildEvent(t.db, { kind: overrides.kind ?? 'seminar', title: overrides.title ?? 'Waiting times in the NHS', startsAt: STARTS, endsAt: ENDS, capacity: 40 });
  await t.db('events').where({ id: event.id }).update({ mode: 'hybrid', online_capacity: 40 });
  return event;
}

export const checkIn = (t: TestApp, attendeeId: number, at = '2026-03-17T12:55:00.000Z') => t.db('attendees').where({ id: attendeeId }).update({ checked_in_at: toDbTime(new Date(at)) });

/** The certificate job, as the runner would run it. */
export const runCertificates = (t: TestApp) => issueDueCertificates(t.ctx);

export const certificatePath = (b: Booked) => `/bookings/${b.reference}/seats/${b.attendeeId}/certificate?token=${encodeURIComponent(b.token)}`;
export const pdfPath = (b: Booked) => `/bookings/${b.reference}/seats/${b.attendeeId}/certificate.pdf?token=${encodeURIComponent(b.token)}`;

export function uploadReport(agent: ReturnType<typeof request.agent>, csrf: string, slug: string, csv: string | Buffer, filename = 'participants.csv') {
  return agent.post(`/admin/events/${slug}/attendance`).field('_csrf', csrf).attach('file', Buffer.isBuffer(csv) ? csv : Buffer.from(csv, 'utf8'), { filename, contentType: 'text/csv' });
}

/** Reads a PDF response body as bytes (supertest leaves binary bodies to a parser). */
export function binary(res: request.Response, callback: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  (res as unknown as NodeJS.ReadableStream).on('data', (c: Buffer) => chunks.push(c));
  (res as unknown as NodeJS.ReadableStream).on('end', () => callback(null, Buffer.concat(chunks)));
}
