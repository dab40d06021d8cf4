import { formatMoney } from '../../lib/money';

/** One audit row as the page reads it: who, what, and the event it is about (when there is one). */
export interface AuditRow {
  action: string;
  /** The person's name, or their email when the account is gone, or "command line". */
  who: string;
  targetType: string;
  targetId: string | null;
  /** The stored details; `null` when they are not a JSON object (never expected, still shown readably). */
  details: Record<string, unknown> | null;
  /** The event's title, when the entry is about an event or something of one. */
  eventTitle: string | null;
}

type Details = Record<string, unknown>;
type Describe = (who: string, d: Details, row: AuditRow) => string;

const text = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));
const quoted = (v: unknown): string => `“${text(v)}”`;
const money = (v: unknown): string => (typeof v === 'number' && Number.isSafeInteger(v) ? formatMoney(v, 'GBP') : text(v));
const count = (n: unknown, one: string, many: string): string => `${text(n)} ${Number(n) === 1 ? one : many}`;
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(text) : []);
const sentence = (...parts: Array<string | false | null | undefined>): string => `${parts.filter(Boolean).join(' ').replace(/\s+([.,;:])/g, '$1')}.`;

/** The event the entry is about, as a sentence names it: its title if known, else the address typed in the details. */
function eventName(row: AuditRow, d: Details): string {
  if (row.eventTitle) return quoted(row.eventTitle);
  const slug = d.slug ?? d.event;
  return slug ? quoted(slug) : 'an event';
}

const FORMATS: Record<string, string> = { csv: 'a CSV file', xlsx: 'an Excel file', json: 'JSON', sign_in_sheet: 'the printable sign-in sheet' };
const REFUND_CHOICES: Record<string, string> = { policy: 'refund under the event’s policy', full: 'full refund', none: 'no refund' };
const SIGN_IN_METHODS: Record<string, string> = { password: 'with a password', totp: 'with a password and an app code', recovery_code: 'with a password and a recovery code' };

function ticketChanges(d: Details): string {
  const before = (d.before ?? {}) as Details;
  const after = (d.after ?? {}) as Details;
  const changes: string[] = [];
  if (before.name !== after.name) changes.push(`renamed it ${quoted(after.name)}`);
  if (before.price !== after.price) changes.push(`price ${money(before.price)} → ${money(after.price)}`);
  if (before.isActive !== after.isActive) changes.push(after.isActive ? 'put it back on sale' : 'withdrew it from sale');
  return changes.length ? `: ${changes.join('; ')}` : ' (no change to name, price or sale)';
}

/**
 * One sentence per action type, naming the person, the event (or account, or booking) and what changed. An action not
 * listed here still reads as a sentence (`describeUnknown`), so a new kind of entry never shows as raw JSON.
 */
const SENTENCES: Record<string, Describe> = {
  event_created: (who, d, r) => sentence(who, 'created the event', eventName(r, d), 'as a draft'),
  event_copied: (who, d, r) => sentence(who, 'copied', quoted(d.fromTitle ?? d.from), 'as a new draft event', eventName(r, d), d.ticketTypes !== undefined && `with ${count(d.ticketTypes, 'ticket type', 'ticket types')}`),
  event_updated: (who, d, r) => {
    const changes = list(d.changes);
    return sentence(
      who,
      'changed',
      eventName(r, d),
      changes.length ? `(${changes.join('; ')})` : '(details other than the time or place)',
      Number(d.notified) > 0 && `and ${count(d.notified, 'person was', 'people were')} sent an updated invitation`,
      Number(d.promoted) > 0 && `; ${count(d.promoted, 'booking', 'bookings')} moved off the waitlist`,
    );
  },
  event_published: (who, d, r) => sentence(who, 'published', eventName(r, d)),
  event_unpublished: (who, d, r) => sentence(who, 'put', eventName(r, d), 'back to draft'),
  event_cancelled: (who, d, r) =>
    sentence(who, 'cancelled', eventName(r, d), d.reason ? `(reason: ${quoted(d.reason)})` : '', `; ${count(d.cancelled ?? 0, 'booking', 'bookings')} cancelled`, list(d.toRefund).length > 0 && `and ${count(list(d.toRefund).length, 'refund', 'refunds')} requested`),
  question_added: (who, d, r) => sentence(who, 'added the registration question', quoted(d.question), d.sensitive === true && '(sensitive)', 'to', eventName(r, d)),
  question_changed: (who, d, r) => sentence(who, 'changed the registration question', quoted(d.before), d.before !== d.after && `to ${quoted(d.after)}`, 'of', eventName(r, d)),
  question_removed: (who, d, r) => sentence(who, 'removed the registration question', quoted(d.question), 'from', eventName(r, d), d.answersKept === true && '(its answers are kept)'),
  discount_code_created: (who, d, r) =>
    sentence(who, 'created the discount code', text(d.code), `(${d.kind === 'free' ? 'free places' : d.kind === 'percent' ? `${text(d.percent)}% off` : `${money(d.amount)} off`}${d.maxUses !== null && d.maxUses !== undefined ? `, ${text(d.maxUses)} places` : ''})`, d.forEvery === true ? 'for every event' : `for ${eventName(r, d)}`),
  discount_code_withdrawn: (who, d) => sentence(who, 'withdrew the discount code', text(d.code)),
  discount_code_restored: (who, d) => sentence(who, 'restored the discount code', text(d.code)),
  ticket_type_created: (who, d, r) => sentence(who, 'added the ticket type', quoted(d.name), 'at', Number(d.price) === 0 ? 'no charge' : money(d.price), 'to', eventName(r, d)),
  ticket_type_updated: (who, d, r) => sentence(`${who} changed the ticket type ${quoted((d.before as Details | undefined)?.name ?? '')} of ${eventName(r, d)}${ticketChanges(d)}`),
  attendees_downloaded: (who, d, r) =>
    d.format === 'sign_in_sheet'
      ? sentence(who, 'opened the sign-in sheet of', eventName(r, d))
      : sentence(who, 'downloaded the attendee list of', eventName(r, d), 'as', FORMATS[text(d.format)] ?? text(d.format), d.surface === 'api' ? 'through the API' : '', d.filter ? `(filtered: ${Object.entries(d.filter as Details).map(([k, v]) => `${k} ${text(v)}`).join(', ')})` : ''),
  booking_cancelled_by_staff: (who, d, r) => sentence(who, 'cancelled booking', text(d.reference), 'for', eventName(r, d), list(d.names).length > 0 && `(${list(d.names).join(', ')})`, 'with', REFUND_CHOICES[text(d.refund)] ?? text(d.refund), Number(d.refundAmount) > 0 && `: ${money(d.refundAmount)} refunded`, Number(d.creditAmount) > 0 && `: ${money(d.creditAmount)} credited`),
  seats_cancelled_by_staff: (who, d, r) => sentence(who, 'cancelled', count(list(d.names).length, 'place', 'places'), `(${list(d.names).join(', ')})`, 'of booking', text(d.reference), 'for', eventName(r, d), 'with', REFUND_CHOICES[text(d.refund)] ?? text(d.refund), Number(d.refundAmount) > 0 && `: ${money(d.refundAmount)} refunded`, Number(d.creditAmount) > 0 && `: ${money(d.creditAmount)} credited`),
  invoice_booking_cancelled: (who, d, r) => sentence(who, 'cancelled the invoice booking', text(d.reference), 'when', eventName(r, d), 'was cancelled', Number(d.credited) > 0 && `; ${money(d.credited)} credited`),
  waitlist_place_offered: (who, d, r) => sentence(who, 'offered a place at', eventName(r, d), 'to waitlisted booking', text(d.reference), d.outcome === 'offered' ? '(held with a payment link)' : '(confirmed)'),
  message_sent: (who, d, r) => sentence(who, 'emailed', count(d.recipients, 'person', 'people'), d.audience === 'waitlist' ? 'on the waitlist of' : 'booked on', eventName(r, d), `: ${quoted(d.subject)}`),
  checked_in: (who, d, r) => sentence(who, 'checked in', text(d.name), 'at', eventName(r, d)),
  check_in_undone: (who, d, r) => sentence(who, 'undid the check-in of', text(d.name), 'at', eventName(r, d)),
  event_announced: (who, d, r) => sentence(who, 'announced', eventName(r, d), 'to', count(d.recipients, 'subscriber', 'subscribers'), d.subject ? `: ${quoted(d.subject)}` : ''),
  announcement_update_sent: (who, d, r) => sentence(who, 'sent an update about', eventName(r, d), 'to', count(d.recipients, 'subscriber', 'subscribers'), d.subject ? `: ${quoted(d.subject)}` : ''),
  subscribers_imported: (who, d) => sentence(who, 'imported', count(d.imported, 'announcement subscriber', 'announcement subscribers'), d.file ? `from ${text(d.file)}` : '', Number(d.alreadySubscribed) > 0 && `(${text(d.alreadySubscribed)} already subscribed`, Number(d.alreadySubscribed) > 0 ? (Number(d.suppressed) > 0 ? `, ${text(d.suppressed)} not added as they had unsubscribed)` : ')') : Number(d.suppressed) > 0 && `(${text(d.suppressed)} not added as they had unsubscribed)`),
  personal_data_exported: (who, d) => sentence(who, "downloaded one person's personal data", `(${count(d.bookingsMade, 'booking made', 'bookings made')}, ${count(d.places, 'place', 'places')}, ${count(d.emails, 'email', 'emails')})`),
  person_erased: (who, d) => sentence(who, 'erased a person on request:', count(d.places, 'place', 'places'), 'and', count(d.bookingsMade, 'booking', 'bookings'), 'no longer name them', Number(d.cancelledPlaces) > 0 && `; ${count(d.cancelledPlaces, 'place still to come was', 'places still to come were')} cancelled`),
  members_imported: (who, d) => sentence(who, 'imported the member list', d.count !== undefined && `(${count(d.count, 'member', 'members')})`, d.source ? `from ${text(d.source)}` : '', d.added !== undefined && `: ${text(d.added)} added, ${text(d.removed)} removed, ${text(d.changed)} changed`),
  members_import_undone: (who, d) => sentence(who, 'undid the last member list import, putting back', count(d.restored, 'member', 'members')),
  certificate_settings_changed: (who, d, r) => sentence(who, 'set the certificates of', eventName(r, d), d.issues === false ? 'to none' : `to ${text(d.hours)} CPD hours`, d.topics ? `(topics: ${quoted(d.topics)})` : '', d.minOnlineMinutes ? `, online attendance from ${text(d.minOnlineMinutes)} minutes` : ''),
  attendance_recorded: (who, d, r) => sentence(who, 'recorded online attendance at', eventName(r, d), d.file ? `from ${text(d.file)}` : '', `: ${count(d.matched, 'person', 'people')} present at least ${text(d.minMinutes)} minutes, ${text(d.belowThreshold)} below, ${text(d.unmatched)} not matched`),
  certificate_name_corrected: (who, d, r) => sentence(who, 'corrected the name on a certificate for', eventName(r, d), 'from', quoted(d.from), 'to', quoted(d.to)),
  survey_settings_changed: (who, d, r) => sentence(who, d.open === false ? 'switched off the feedback survey of' : 'set the feedback survey of', eventName(r, d), d.open === false ? '' : `(${d.anonymous ? 'anonymous' : 'named'}, a second answer ${d.repeat === 'refuse' ? 'refused' : 'replaces the first'}${Number(d.extraQuestions) > 0 ? `, ${count(d.extraQuestions, 'extra question', 'extra questions')}` : ''})`),
  walk_in_added: (who, d, r) => sentence(who, 'added', text(d.name), 'as a walk-in at', eventName(r, d), d.reference ? `(booking ${text(d.reference)})` : '', d.hasEmail === false ? 'with no email address' : ''),
  message_test_sent: (who, d, r) => sentence(who, 'sent a test of', quoted(d.subject), 'about', eventName(r, d), 'to', text(d.to)),
  refund_requested: (who, d, r) => sentence(who, 'refunded', money(d.amount), 'on booking', text(d.reference), 'for', eventName(r, d), d.reason ? `(reason: ${quoted(d.reason)})` : ''),
  booking_refreshed_from_stripe: (who, d, r) => sentence(who, 'refreshed booking', text(d.reference), 'for', eventName(r, d), 'from Stripe'),
  invoice_payment_recorded: (who, d, r) => sentence(who, 'recorded a bank payment of', money(d.amount), 'on booking', text(d.reference), 'for', eventName(r, d), d.paidOn ? `, paid on ${text(d.paidOn)}` : '', `; ${money(d.outstanding)} still outstanding`),
  invoice_credited: (who, d, r) => sentence(who, 'credited', money(d.amount), 'to the invoice of booking', text(d.reference), 'for', eventName(r, d), d.reason ? `(reason: ${quoted(d.reason)})` : ''),
  invoice_written_off: (who, d, r) => sentence(who, 'wrote off', money(d.amount), 'on the invoice of booking', text(d.reference), 'for', eventName(r, d), d.reason ? `(reason: ${quoted(d.reason)})` : ''),
  stripe_payment_attached: (who, d) => sentence(who, 'attached a Stripe payment of', money(d.amount), 'to booking', text(d.bookingReference), d.note ? `(note: ${quoted(d.note)})` : ''),
  mismatch_explained: (who, d, r) => sentence(who, 'explained a', text(d.kind).replace(/_/g, ' ') || 'finance', 'mismatch of', money(d.amount), `on Stripe object ${text(r.targetId)}`, d.note ? `: ${quoted(d.note)}` : ''),
  explanation_withdrawn: (who, d, r) => sentence(who, 'withdrew the explanation of Stripe object', text(r.targetId), d.note ? `(it said ${quoted(d.note)})` : ''),
  user_created: (who, d) => sentence(who, 'created the staff account', text(d.email), d.role ? `as ${text(d.role)}` : ''),
  user_invited: (who, d) => sentence(who, d.resent ? 'sent a new invitation to' : 'invited', text(d.email), d.role ? `as ${text(d.role)}` : ''),
  password_set: (who) => sentence(who, 'set their password from an invitation'),
  password_reset_requested: (who, d) => (d.by === 'administrator' ? sentence(who, 'sent a password reset link to', text(d.email)) : sentence(who, 'asked for a password reset link')),
  password_reset_completed: (who) => sentence(who, 'reset their password from a link'),
  password_changed: (who) => sentence(who, 'changed their password'),
  user_disabled: (who, d) => sentence(who, 'disabled the account of', text(d.email), Number(d.sessionsEnded) > 0 && `and ended ${count(d.sessionsEnded, 'session', 'sessions')}`),
  user_enabled: (who, d) => sentence(who, 'enabled the account of', text(d.email)),
  sessions_ended: (who, d) => (d.by === 'self' ? sentence(who, 'signed out everywhere else', `(${count(d.sessionsEnded, 'session', 'sessions')})`) : sentence(who, 'ended', count(d.sessionsEnded, 'session', 'sessions'), 'of', text(d.email))),
  role_changed: (who, d) => sentence(who, 'changed the role of', text(d.email), 'from', text(d.from), 'to', text(d.to)),
  totp_enrolled: (who) => sentence(who, 'set up two-factor sign-in'),
  totp_removed: (who, d) => (d.by === 'administrator' ? sentence(who, 'removed two-factor sign-in from', text(d.email)) : sentence(who, 'switched off their two-factor sign-in')),
  recovery_codes_regenerated: (who) => sentence(who, 'made new recovery codes'),
  recovery_code_used: (who) => sentence(who, 'signed in with a recovery code'),
  totp_requirement_changed: (who, d) => sentence(who, d.required ? 'required' : 'stopped requiring', 'two-factor sign-in for', list(d.roles).join(' and ') || 'some roles'),
  sign_in: (who, d) => sentence(who, 'signed in', SIGN_IN_METHODS[text(d.method)] ?? ''),
  sign_out: (who) => sentence(who, 'signed out'),
  api_token_created: (who, d) => sentence(who, 'made an API token', d.name ? quoted(d.name) : '', 'for', text(d.user)),
  api_token_revoked: (who, _d, r) => sentence(who, 'revoked API token', text(r.targetId)),
};

/** A kind of entry with no sentence of its own: its words, its target and its details as "key: value" pairs. */
function describeUnknown(row: AuditRow): string {
  const what = row.action.replace(/_/g, ' ');
  const target = row.eventTitle ? quoted(row.eventTitle) : `${row.targetType.replace(/_/g, ' ')}${row.targetId ? ` ${row.targetId}` : ''}`;
  const details = row.details ? Object.entries(row.details).map(([k, v]) => `${k.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase()}: ${text(v)}`) : ['details could not be read'];
  return sentence(`${row.who}: ${what} (${target})`, details.length ? `— ${details.join('; ')}` : '');
}

/** The entry as one plain-English sentence. */
export function describeAudit(row: AuditRow): string {
  const describe = SENTENCES[row.action];
  if (!describe || !row.details) return describeUnknown(row);
  try {
    return describe(row.who, row.details, row);
  } catch (error) {
    // Details of an unexpected shape (an old entry, a hand-written one) still read, as an unknown kind does.
    if (error instanceof TypeError) return describeUnknown(row);
    throw error;
  }
}

/** Whether the page has a sentence of its own for this action (the rest read through `describeUnknown`). */
export function isDescribed(action: string): boolean {
  return action in SENTENCES;
}
