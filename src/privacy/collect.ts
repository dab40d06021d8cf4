import { answerText } from '../bookings';
import type { Tx } from '../db/connect';
import { normaliseEmail } from '../lib/email';
import { fromDbTimeOrNull } from '../lib/time';
import { suppressionHash } from '../announcements/tokens';
import { parseSnapshot, type DocumentSnapshot } from '../finance/documents/snapshot';

const iso = (value: unknown) => fromDbTimeOrNull(value)?.toISOString() ?? null;

/**
 * Everything held about one person, found by their email address (normalised as bookings are), for a subject access
 * request (UK GDPR Art. 15). Only their own data: on a booking they made for others, the other places show their
 * ticket and price but not who holds them; on a place someone else booked for them, the buyer is not named. Amounts are
 * integer minor units; instants are ISO-8601 UTC.
 */
export interface PersonalData {
  email: string;
  generatedAt: string;
  bookingsMade: Array<{
    reference: string;
    event: EventRef;
    status: string;
    madeAt: string | null;
    buyer: { name: string; email: string; organisation: string | null; billingContact: string | null; billingEmail: string | null; billingAddress: string | null };
    purchaseOrder: string | null;
    paymentMethod: string;
    total: number;
    currency: string;
    cancelledAt: string | null;
    cancelReason: string | null;
    places: Array<{ ticketType: string; price: number; holder: 'you' | 'someone else'; status: string }>;
    payments: Array<{ method: string; status: string; amount: number; refunded: number; at: string | null }>;
    refunds: Array<{ status: string; amount: number; at: string | null }>;
    credits: Array<{ amount: number; at: string | null }>;
    /** Answers to the event's per-booking questions, as given (with the wording answered). */
    answers: Array<{ question: string; answer: string | null }>;
    /** The invoices, receipts and credit notes issued for this booking, each as issued (the PDF is `file` in the ZIP). */
    documents: PersonalDocument[];
  }>;
  places: Array<{
    reference: string;
    event: EventRef;
    ticketType: string;
    price: number;
    status: string;
    name: string;
    email: string;
    organisation: string | null;
    dietary: string | null;
    accessibility: string | null;
    checkedInAt: string | null;
    /** How the place takes part (`in_person` or `online`), and when its holder first opened their joining link. */
    takingPart: string;
    joinedOnlineAt: string | null;
    bookedBy: 'you' | 'someone else';
    /** Answers to the event's per-attendee questions for this place, as given (with the wording answered). */
    answers: Array<{ question: string; answer: string | null }>;
  }>;
  emails: Array<{ subject: string; kind: string; status: string; queuedAt: string | null; sentAt: string | null; text: string | null }>;
  subscription: { status: string; choices: { allEvents: boolean; kinds: string[]; regions: string[] }; consentAt: string | null; consentSource: string | null; confirmedAt: string | null } | null;
  unsubscribedRecord: boolean;
  membership: { name: string; membershipNumber: string; expiresOn: string; importedAt: string | null } | null;
  staffAccount: { name: string; role: string; createdAt: string | null } | null;
  auditEntries: Array<{ at: string | null; action: string; about: string }>;
}

/**
 * One finance document of a booking the person made: the figures, and the whole document as issued to them. A place
 * line names its holder; another person's name there reads "[another person]".
 */
export interface PersonalDocument {
  kind: string;
  number: string;
  issueDate: string;
  currency: string;
  net: number;
  vat: number;
  gross: number;
  /** Where the PDF of this document is in the ZIP. */
  file: string;
  document: DocumentSnapshot;
}

interface EventRef {
  title: string;
  startsAt: string | null;
  endsAt: string | null;
  timezone: string;
}

/**
 * Names and addresses of the other people on these bookings (longest first, so "Ann Lee-Smith" goes before "Ann Lee"),
 * leaving out any value that is also the person's own.
 */
async function otherPeopleOn(db: Tx, bookingIds: number[], email: string): Promise<string[]> {
  if (bookingIds.length === 0) return [];
  const mine = new Set<string>();
  const theirs = new Set<string>();
  const seats = await db('attendees').whereIn('booking_id', bookingIds).select('name', 'email', 'email_normalised');
  const buyers = await db('bookings').whereIn('id', bookingIds).select('buyer_name as name', 'buyer_email as email', 'buyer_email_normalised as email_normalised');
  for (const row of [...seats, ...buyers] as Array<Record<string, string>>) {
    const target = row.email_normalised === email ? mine : theirs;
    for (const value of [row.name, row.email, row.email_normalised]) if (value && value.length >= 3) target.add(value);
  }
  return [...theirs].filter((v) => !mine.has(v)).sort((a, b) => b.length - a.length);
}

/** The booking's finance documents, with the place lines of the other people on it not naming them. */
async function documentsOf(db: Tx, bookingId: number, ownNames: Set<string>): Promise<PersonalDocument[]> {
  const rows = (await db('finance_documents').where({ booking_id: bookingId }).orderBy('id').select('kind', 'number', 'snapshot')) as Array<Record<string, unknown>>;
  return rows.map((row) => {
    const snapshot = parseSnapshot(String(row.snapshot));
    const lines = snapshot.lines.map((l) => (l.ticketType === null || ownNames.has(l.description) ? l : { ...l, description: '[another person]' }));
    const document = { ...snapshot, lines };
    return { kind: String(row.kind), number: String(row.number), issueDate: snapshot.issueDate, currency: snapshot.currency, ...snapshot.totals, file: `documents/${String(row.number)}.pdf`, document };
  });
}

/** Registration answers (bookings/questions.ts), as people read them; a removed one is null. Per booking: `attendee_id` NULL. */
async function answersOf(db: Tx, where: Record<string, number>, perBooking: boolean): Promise<Array<{ question: string; answer: string | null }>> {
  const query = db('booking_answers').where(where).select('label', 'kind', 'value').orderBy('id');
  if (perBooking) query.whereNull('attendee_id');
  return ((await query) as Array<Record<string, unknown>>).map((r) => ({ question: String(r.label), answer: r.value === null ? null : answerText(String(r.kind), String(r.value)) }));
}

const eventRef = (row: Record<string, unknown>): EventRef => ({ title: String(row.event_title), startsAt: iso(row.starts_at), endsAt: iso(row.ends_at), timezone: String(row.timezone) });

export async function collectPersonalData(db: Tx, rawEmail: string, now: Date): Promise<PersonalData> {
  const email = normaliseEmail(rawEmail);
  const bookingRows = await db('bookings as b')
    .join('events as e', 'e.id', 'b.event_id')
    .where('b.buyer_email_normalised', email)
    .select('b.*', 'e.title as event_title', 'e.starts_at', 'e.ends_at', 'e.timezone')
    .orderBy('b.id');
  const bookingsMade: PersonalData['bookingsMade'] = [];
  for (const b of bookingRows as Array<Record<string, unknown>>) {
    const seats = await db('attendees as a').join('ticket_types as tt', 'tt.id', 'a.ticket_type_id').where('a.booking_id', Number(b.id)).select('a.name', 'a.email_normalised', 'a.unit_price', 'a.status', 'tt.name as ticket').orderBy('a.id');
    const ownNames = new Set(seats.filter((s: Record<string, unknown>) => s.email_normalised === email).map((s: Record<string, unknown>) => String(s.name)));
    const payments = await db('payments').where({ booking_id: Number(b.id) }).select('method', 'status', 'amount', 'amount_refunded', 'created_at').orderBy('id');
    const refunds = await db('refunds').where({ booking_id: Number(b.id) }).select('status', 'amount', 'created_at').orderBy('id');
    const credits = await db('credits').where({ booking_id: Number(b.id) }).select('amount', 'created_at').orderBy('id');
    bookingsMade.push({
      reference: String(b.reference),
      event: eventRef(b),
      status: String(b.status),
      madeAt: iso(b.created_at),
      buyer: { name: String(b.buyer_name), email: String(b.buyer_email), organisation: (b.buyer_organisation as string | null) ?? null, billingContact: (b.billing_contact as string | null) ?? null, billingEmail: (b.billing_email as string | null) ?? null, billingAddress: (b.billing_address as string | null) ?? null },
      purchaseOrder: (b.purchase_order as string | null) ?? null,
      paymentMethod: String(b.payment_method),
      total: Number(b.total),
      currency: String(b.currency),
      cancelledAt: iso(b.cancelled_at),
      cancelReason: (b.cancel_reason as string | null) ?? null,
      places: seats.map((s: Record<string, unknown>) => ({ ticketType: String(s.ticket), price: Number(s.unit_price), holder: s.email_normalised === email ? 'you' : 'someone else', status: String(s.status) })),
      payments: payments.map((p: Record<string, unknown>) => ({ method: String(p.method), status: String(p.status), amount: Number(p.amount), refunded: Number(p.amount_refunded), at: iso(p.created_at) })),
      refunds: refunds.map((r: Record<string, unknown>) => ({ status: String(r.status), amount: Number(r.amount), at: iso(r.created_at) })),
      credits: credits.map((c: Record<string, unknown>) => ({ amount: Number(c.amount), at: iso(c.created_at) })),
      answers: await answersOf(db, { booking_id: Number(b.id) }, true),
      documents: await documentsOf(db, Number(b.id), ownNames),
    });
  }

  const placeRows = await db('attendees as a')
    .join('bookings as b', 'b.id', 'a.booking_id')
    .join('events as e', 'e.id', 'a.event_id')
    .join('ticket_types as tt', 'tt.id', 'a.ticket_type_id')
    .where('a.email_normalised', email)
    .select('a.*', 'b.reference', 'b.buyer_email_normalised', 'tt.name as ticket', 'e.title as event_title', 'e.starts_at', 'e.ends_at', 'e.timezone')
    .orderBy('a.id');
  const placeAnswers = new Map<number, PersonalData['places'][number]['answers']>();
  for (const a of placeRows as Array<Record<string, unknown>>) placeAnswers.set(Number(a.id), await answersOf(db, { attendee_id: Number(a.id) }, false));
  const places: PersonalData['places'] = (placeRows as Array<Record<string, unknown>>).map((a) => ({
    reference: String(a.reference),
    event: eventRef(a),
    ticketType: String(a.ticket),
    price: Number(a.unit_price),
    status: String(a.status),
    name: String(a.name),
    email: String(a.email),
    organisation: (a.organisation as string | null) ?? null,
    dietary: (a.dietary as string | null) ?? null,
    accessibility: (a.accessibility as string | null) ?? null,
    checkedInAt: iso(a.checked_in_at),
    takingPart: a.mode === 'online' ? 'online' : 'in_person',
    joinedOnlineAt: iso(a.joined_at),
    bookedBy: a.buyer_email_normalised === email ? 'you' : 'someone else',
    answers: placeAnswers.get(Number(a.id)) ?? [],
  }));

  // The other people on the same bookings (colleagues booked together, a buyer who booked for them): their names and
  // addresses are taken out of the email texts, which may mention them.
  const relatedIds = [...new Set([...bookingRows.map((b: Record<string, unknown>) => Number(b.id)), ...placeRows.map((a: Record<string, unknown>) => Number(a.booking_id))])];
  const others = await otherPeopleOn(db, relatedIds, email);
  const redact = (text: string) => others.reduce((out, value) => out.split(value).join('[another person]'), text);

  // Recipients are stored as typed; compared normalised (lower-cased and trimmed) as everywhere else.
  const emailRows = await db('outbox_emails').whereRaw('lower(trim(to_address)) = ?', [email]).select('subject', 'kind', 'status', 'created_at', 'sent_at', 'text_body').orderBy('id');
  const emails = (emailRows as Array<Record<string, unknown>>).map((m) => ({ subject: redact(String(m.subject)), kind: String(m.kind), status: String(m.status), queuedAt: iso(m.created_at), sentAt: iso(m.sent_at), text: m.text_body ? redact(String(m.text_body)) : null }));

  const sub = (await db('subscribers').where({ email }).first()) as Record<string, unknown> | undefined;
  const member = (await db('members').where({ email_normalised: email }).first()) as Record<string, unknown> | undefined;
  const user = (await db('users').where({ email_normalised: email }).first('name', 'role', 'created_at')) as Record<string, unknown> | undefined;

  const bookingIds = relatedIds.map(String);
  const attendeeIds = placeRows.map((a: Record<string, unknown>) => String(a.id));
  const auditRows = await db('audit_log')
    .where((q) => q.where('target_type', 'booking').whereIn('target_id', bookingIds.length ? bookingIds : ['-']))
    .orWhere((q) => q.where('target_type', 'attendee').whereIn('target_id', attendeeIds.length ? attendeeIds : ['-']))
    .select('at', 'action', 'target_type')
    .orderBy('id');

  return {
    email,
    generatedAt: now.toISOString(),
    bookingsMade,
    places,
    emails,
    subscription: sub
      ? { status: String(sub.status), choices: { allEvents: Boolean(sub.all_events), kinds: String(sub.kinds || '').split(',').filter(Boolean), regions: String(sub.regions || '').split(',').filter(Boolean) }, consentAt: iso(sub.consent_at), consentSource: (sub.consent_source as string | null) ?? null, confirmedAt: iso(sub.confirmed_at) }
      : null,
    unsubscribedRecord: !!(await db('subscriber_suppressions').where({ email_hash: suppressionHash(email) }).first('email_hash')),
    membership: member ? { name: String(member.name), membershipNumber: String(member.membership_number), expiresOn: String(member.expires_on), importedAt: iso(member.imported_at) } : null,
    staffAccount: user ? { name: String(user.name), role: String(user.role), createdAt: iso(user.created_at) } : null,
    // What was done about their bookings and places, when; the staff member who did it is not named (that is theirs).
    auditEntries: (auditRows as Array<Record<string, unknown>>).map((r) => ({ at: iso(r.at), action: String(r.action).replace(/_/g, ' '), about: String(r.target_type) })),
  };
}
