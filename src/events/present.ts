import { calendarLinks } from '../calendar/ics';
import { formatMoney } from '../lib/money';
import { formatDate, formatInstant } from '../lib/time';
import { bookingState, isFreeEvent, isOnSale, totalCapacity } from './availability';
import { eventDates } from './dates';
import type { EventWithAvailability } from './service';
import { KIND_LABELS, MODE_LABELS, REGION_LABELS } from './types';
import { accessLines } from './types';
import type { Config } from '../config';
import { contactEmailFor, priceBasis, refundTerms } from './terms';

/** The public JSON shape of an event (DESIGN.md, Public JSON API). */
export function toApiEvent({ event, ticketTypes, remaining, remainingByMode }: EventWithAvailability, url: string) {
  return {
    slug: event.slug,
    kind: event.kind,
    title: event.title,
    status: event.status,
    startsAt: event.startsAt.toISOString(),
    endsAt: event.endsAt.toISOString(),
    timezone: event.timezone,
    venue: event.venue,
    region: event.region,
    /** `in_person`, `online` or `hybrid`; the meeting's own address is never here. */
    mode: event.mode,
    capacity: totalCapacity(event),
    remaining,
    // A hybrid event's places for each way of taking part, each with its own waitlist.
    ...(event.mode === 'hybrid'
      ? { places: { inPerson: { capacity: event.capacity, remaining: remainingByMode.in_person }, online: { capacity: event.onlineCapacity ?? 0, remaining: remainingByMode.online } } }
      : {}),
    url,
    // How this event may be paid for, as the booking API's `paymentMethod` takes it: none for a free event.
    paymentMethods: ticketTypes.some((t) => t.price > 0) ? (event.allowsInvoice ? ['stripe', 'invoice'] : ['stripe']) : [],
    ticketTypes: ticketTypes.map((t) => ({
      id: t.id,
      name: t.name,
      amount: t.price,
      currency: t.currency,
      membersOnly: t.membersOnly,
      remaining: t.remaining,
    })),
  };
}

export function placesLabel(item: EventWithAvailability): string {
  if (item.event.status === 'cancelled') return 'Cancelled';
  if (item.remaining === 0) return 'Full — join the waitlist';
  return `${item.remaining} ${item.remaining === 1 ? 'place' : 'places'} left`;
}

export function toEventCard(item: EventWithAvailability, now: Date) {
  const { event } = item;
  const dates = eventDates(event.startsAt, event.endsAt, event.timezone);
  const free = isFreeEvent(item.ticketTypes);
  const prices = item.ticketTypes.filter((t) => t.price > 0).map((t) => t.price);
  return {
    slug: event.slug,
    title: event.title,
    summary: event.summary,
    kindLabel: KIND_LABELS[event.kind],
    regionLabel: REGION_LABELS[event.region],
    day: dates.day,
    weekday: dates.weekday,
    month: dates.month,
    date: dates.date,
    startsAtIso: event.startsAt.toISOString(),
    time: dates.time,
    venue: event.venue || (event.mode === 'online' ? 'Online' : ''),
    modeLabel: event.mode === 'in_person' ? null : MODE_LABELS[event.mode],
    isCancelled: event.status === 'cancelled',
    isAgm: event.isAgm,
    isFull: item.remaining === 0 && event.status !== 'cancelled',
    isPast: event.endsAt <= now,
    placesLabel: placesLabel(item),
    priceLabel: free ? 'Free' : `From ${formatMoney(Math.min(...prices), event.currency)}`,
  };
}

/**
 * How to take part, for the event page: in the room, online (a personal joining link), or either for a hybrid event,
 * with the places left for each. Never the meeting's address, passcode, dial-in or the time its links open.
 */
function modeParts(item: EventWithAvailability, now: Date) {
  const { event } = item;
  const open = bookingState(event, now) === 'open';
  const left = (n: number) => (n === 0 ? 'full — waitlist' : `${n} ${n === 1 ? 'place' : 'places'} left`);
  return {
    mode: event.mode,
    modeLabel: MODE_LABELS[event.mode],
    isOnline: event.mode === 'online',
    isHybrid: event.mode === 'hybrid',
    hasOnline: event.mode !== 'in_person',
    hasRoom: event.mode !== 'online',
    onlinePlaces: event.mode === 'hybrid' && open ? left(item.remainingByMode.online) : null,
    roomPlaces: event.mode === 'hybrid' && open ? left(item.remainingByMode.in_person) : null,
    startsLocal: eventDates(event.startsAt, event.endsAt, event.timezone).range,
    materials: item.materials.map((m) => ({
      label: `${m.kind === 'recording' ? 'Recording' : 'Slides'}: ${m.title}${m.size ? ` (${m.fileName?.split('.').pop()?.toUpperCase() ?? 'file'}, ${Math.max(1, Math.round(m.size / 1024 / 1024))} MB)` : ''}`,
      url: `/events/${event.slug}/materials/${m.id}`,
    })),
  };
}

/** What a charged event's buyers agree to, before they book: the refund terms for each way to pay, and the VAT basis. */
export function bookingTerms(event: EventWithAvailability['event'], config: Pick<Config, 'orgName' | 'orgContactEmail' | 'vat'>) {
  const terms = refundTerms(event, contactEmailFor(event, config));
  return { card: terms.card, invoice: event.allowsInvoice ? terms.invoice : null, priceBasis: priceBasis(config) };
}

/**
 * What the prices table says of one ticket while booking is open: never "Available" when it is not (issue 15: a full
 * event takes a waitlist, a quota can be used up, a sale window can be shut).
 */
function ticketAvailability(t: EventWithAvailability['ticketTypes'][number], eventRemaining: number, now: Date, zone: string): string {
  if (!isOnSale(t, now)) return 'Not on sale';
  if (eventRemaining === 0) return 'Full — waitlist';
  if (t.remaining === 0) return 'Sold out';
  if (t.salesEndsAt && t.salesEndsAt > now) return `Until ${formatDate(t.salesEndsAt, zone)}`;
  return 'Available';
}

export function toEventPage(item: EventWithAvailability, url: string, now: Date, config: Pick<Config, 'orgName' | 'orgContactEmail' | 'vat'>) {
  const { event } = item;
  const state = bookingState(event, now);
  const free = isFreeEvent(item.ticketTypes);
  return {
    ...toEventCard(item, now),
    description: event.description,
    address: event.address,
    ...modeParts(item, now),
    access: accessLines(event.access),
    accessContact: contactEmailFor(event, config),
    hasHiddenTicketTypes: item.hasHiddenTicketTypes ?? false,
    when: eventDates(event.startsAt, event.endsAt, event.timezone).range,
    timezone: event.timezone,
    endsAtIso: event.endsAt.toISOString(),
    capacity: totalCapacity(event),
    remaining: item.remaining,
    isFree: free,
    allowsInvoice: event.allowsInvoice,
    isOpen: state === 'open',
    showPlaces: event.status !== 'cancelled' && state !== 'started',
    zoneHint: event.timezone === 'Europe/London' ? 'UK time' : event.timezone.replace(/_/g, ' '),
    bookingState: state,
    bookingClosesLabel: event.bookingClosesAt ? formatInstant(event.bookingClosesAt, event.timezone) : null,
    bookingOpensLabel: event.bookingOpensAt ? formatInstant(event.bookingOpensAt, event.timezone) : null,
    contactEmail: event.contactEmail,
    // Where "Choose at least one place" in the error summary leads: the first place selector.
    firstPlaceSelector: (() => {
      const first = item.ticketTypes.find((t) => isOnSale(t, now) && !(t.remaining === 0 && item.remaining > 0));
      return first ? `qty-${first.id}` : 'book';
    })(),
    terms: free || event.status === 'cancelled' || state === 'started' ? null : bookingTerms(event, config),
    // A cancelled or finished event is nothing to put in a calendar.
    calendar: event.status !== 'cancelled' && now < event.endsAt ? { ...calendarLinks(event, url), ics: `/events/${event.slug}/event.ics` } : null,
    // Places left per ticket only while booking is open: "Available" on a cancelled, past or closed event is untrue.
    showAvailability: state === 'open',
    ticketTypes: item.ticketTypes.map((t) => ({
      id: t.id,
      name: t.name,
      description: t.description,
      price: t.price === 0 ? 'Free' : formatMoney(t.price, t.currency),
      amount: t.price,
      membersOnly: t.membersOnly,
      onSale: isOnSale(t, now),
      remaining: t.remaining,
      // Sold out means this ticket type's quota is used up; a full event takes a waitlist instead.
      soldOut: t.remaining === 0 && item.remaining > 0,
      salesEnds: t.salesEndsAt && t.salesEndsAt > now ? formatDate(t.salesEndsAt, event.timezone) : null,
      availability: ticketAvailability(t, item.remaining, now, event.timezone),
    })),
  };
}
