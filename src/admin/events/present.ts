import type { EventRecord, TicketTypeRecord } from '../../events/types';
import { EVENT_KINDS, EVENT_MODES, KIND_LABELS, MODE_LABELS, REGIONS, REGION_LABELS } from '../../events/types';
import { NO_MEETING, type Meeting } from '../../online';
import { totalCapacity } from '../../events/availability';
import { formatMoney } from '../../lib/money';
import { formatInstant, formatRange, inZone } from '../../lib/time';
import type { StaffEventDetail, StaffEventSummary } from './read';

export const STATUS_LABELS = { draft: 'Draft', published: 'Published', cancelled: 'Cancelled' } as const;

/** The value a datetime-local input shows for an instant, in the event's zone. */
export function toLocalInput(date: Date | null, zone: string): string {
  return date ? inZone(date, zone).toFormat("yyyy-LL-dd'T'HH:mm") : '';
}

export function poundsText(pence: number): string {
  return `${Math.floor(pence / 100)}.${String(pence % 100).padStart(2, '0')}`;
}

/** The edit form's initial values: the same strings an organiser would type. */
export function eventFormValues(event: EventRecord, meeting: Meeting = NO_MEETING): Record<string, unknown> {
  const zone = event.timezone;
  return {
    title: event.title,
    slug: event.slug,
    kind: event.kind,
    region: event.region,
    summary: event.summary,
    description: event.description,
    venue: event.venue,
    address: event.address,
    mode: event.mode,
    onlineCapacity: event.onlineCapacity === null ? '' : String(event.onlineCapacity),
    meetingUrl: meeting.url ?? '',
    meetingPasscode: meeting.passcode ?? '',
    meetingDialIn: meeting.dialIn ?? '',
    joinOpensAt: toLocalInput(meeting.opensAt, zone),
    timezone: zone,
    startsAt: toLocalInput(event.startsAt, zone),
    endsAt: toLocalInput(event.endsAt, zone),
    capacity: String(event.capacity),
    bookingOpensAt: toLocalInput(event.bookingOpensAt, zone),
    bookingClosesAt: toLocalInput(event.bookingClosesAt, zone),
    refundDeadlineAt: toLocalInput(event.refundDeadlineAt, zone),
    seatChangesUntil: toLocalInput(event.seatChangesUntil ?? null, zone),
    refundFee: poundsText(event.refundFee),
    allowsInvoice: event.allowsInvoice,
    isAgm: event.isAgm,
    contactEmail: event.contactEmail ?? '',
    accessStepFree: event.access.stepFree,
    accessHearingLoop: event.access.hearingLoop,
    accessCaptions: event.access.captions,
    accessBsl: event.access.bslOnRequest,
    accessQuietRoom: event.access.quietRoom,
    accessTransport: event.access.transport,
    accessNotes: event.access.notes,
  };
}

/**
 * The copy form's initial values: the source's details with every date left empty, for the organiser to set (a
 * meeting repeated a year on rarely falls on the same weekday, so moving the dates by a year would be a guess), and an
 * address made from the title.
 */
export function copyFormValues(event: EventRecord, meeting: Meeting = NO_MEETING): Record<string, unknown> {
  return { ...eventFormValues(event, meeting), slug: '', startsAt: '', endsAt: '', bookingOpensAt: '', bookingClosesAt: '', refundDeadlineAt: '', seatChangesUntil: '', joinOpensAt: '' };
}

/** Why "Back to draft" is not offered, or null when it is. */
export function backToDraftRefusal(bookingsHeld: number): string | null {
  if (bookingsHeld === 0) return null;
  const what = bookingsHeld === 1 ? '1 booking' : `${bookingsHeld} bookings`;
  return `It cannot go back to draft: it has ${what} (confirmed, waiting or being paid for). Cancel the event instead, and everyone booked will be told.`;
}

export function ticketFormValues(type: TicketTypeRecord, zone: string): Record<string, unknown> {
  return {
    name: type.name,
    description: type.description,
    price: poundsText(type.price),
    membersOnly: type.membersOnly,
    quota: type.quota === null ? '' : String(type.quota),
    salesStartsAt: toLocalInput(type.salesStartsAt, zone),
    salesEndsAt: toLocalInput(type.salesEndsAt, zone),
    isActive: type.isActive,
    isHidden: type.isHidden ?? false,
  };
}

/** Select options, with the form's current choice marked. */
export function choiceLists(form: Record<string, unknown>) {
  const mode = typeof form.mode === 'string' && form.mode ? form.mode : 'in_person';
  return {
    modes: EVENT_MODES.map((m) => ({ value: m, label: MODE_LABELS[m], id: `field-mode-${m}`, checked: mode === m })),
    kinds: EVENT_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k], selected: form.kind === k })),
    regions: REGIONS.map((r) => ({ value: r, label: REGION_LABELS[r], selected: form.region === r })),
  };
}

export function toStaffEventRow({ event, confirmed, waitlisted, checkedIn }: StaffEventSummary) {
  return {
    slug: event.slug,
    title: event.title,
    when: formatInstant(event.startsAt, event.timezone),
    kindLabel: KIND_LABELS[event.kind],
    status: event.status,
    statusLabel: STATUS_LABELS[event.status],
    places: `${confirmed} / ${totalCapacity(event)}`,
    waitlisted,
    checkedIn,
  };
}

export function toStaffEventPage(detail: StaffEventDetail) {
  const { event } = detail;
  const zone = event.timezone;
  return {
    ...toStaffEventRow(detail),
    range: formatRange(event.startsAt, event.endsAt, zone),
    timezone: zone,
    venue: event.venue,
    address: event.address,
    modeLabel: MODE_LABELS[event.mode],
    isOnlineOrHybrid: event.mode !== 'in_person',
    isHybrid: event.mode === 'hybrid',
    capacity: event.capacity,
    onlineCapacity: event.onlineCapacity,
    taken: detail.taken,
    remaining: Math.max(0, totalCapacity(event) - detail.taken),
    calendarUpdates: event.sequence,
    backToDraftRefusal: backToDraftRefusal(detail.bookingsHeld),
    isDraft: event.status === 'draft',
    isPublished: event.status === 'published',
    isCancelled: event.status === 'cancelled',
    bookingOpens: event.bookingOpensAt ? formatInstant(event.bookingOpensAt, zone) : null,
    bookingCloses: event.bookingClosesAt ? formatInstant(event.bookingClosesAt, zone) : null,
    refundDeadline: event.refundDeadlineAt ? formatInstant(event.refundDeadlineAt, zone) : null,
    refundFee: event.refundFee > 0 ? formatMoney(event.refundFee, event.currency) : null,
    allowsInvoice: event.allowsInvoice,
    contactEmail: event.contactEmail,
    ticketTypes: detail.ticketTypes.map((t) => ({
      id: t.id,
      name: t.name,
      price: t.price === 0 ? 'Free' : formatMoney(t.price, t.currency),
      membersOnly: t.membersOnly,
      quota: t.quota,
      taken: t.taken,
      isActive: t.isActive,
      isHidden: t.isHidden ?? false,
      salesWindow: [t.salesStartsAt ? `from ${formatInstant(t.salesStartsAt, zone)}` : '', t.salesEndsAt ? `until ${formatInstant(t.salesEndsAt, zone)}` : ''].filter(Boolean).join(' ') || null,
    })),
    messages: detail.messages.map((m) => ({ subject: m.subject, audience: m.audience === 'waitlist' ? 'Waitlist' : 'Attendees', recipients: m.recipients, sentBy: m.sentBy, at: formatInstant(m.createdAt, zone) })),
  };
}
