export const EVENT_KINDS = ['evening_meeting', 'seminar', 'conference'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const REGIONS = ['london', 'scotland', 'north_west', 'online', 'other'] as const;
export type Region = (typeof REGIONS)[number];

export const EVENT_STATUSES = ['draft', 'published', 'cancelled'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export const EVENT_MODES = ['in_person', 'online', 'hybrid'] as const;
/** How an event takes place: in a room, online, or both (hybrid: two capacities, each with its own waitlist). */
export type EventMode = (typeof EVENT_MODES)[number];

export const ATTENDANCE_MODES = ['in_person', 'online'] as const;
/** How one seat takes part. */
export type AttendanceMode = (typeof ATTENDANCE_MODES)[number];

export const MODE_LABELS: Record<EventMode, string> = { in_person: 'In person', online: 'Online', hybrid: 'In person or online' };
export const ATTENDANCE_LABELS: Record<AttendanceMode, string> = { in_person: 'In person', online: 'Online' };

/**
 * The reminder and follow-up rules of an event (editable on its Reminders page): reminders so many hours before the
 * start (null: off), and the thank-you / "sorry we missed you" so many hours after the end.
 */
export interface FollowUpRules {
  reminderEarlyHours: number | null;
  reminderLateHours: number | null;
  thankYou: boolean;
  missedYou: boolean;
  followUpHours: number;
}

export const KIND_LABELS: Record<EventKind, string> = {
  evening_meeting: 'Evening meeting',
  seminar: 'Seminar',
  conference: 'Conference',
};

export const REGION_LABELS: Record<Region, string> = {
  london: 'London',
  scotland: 'Scotland',
  north_west: 'North West England',
  online: 'Online',
  other: 'Elsewhere',
};

export interface EventRecord {
  id: number;
  slug: string;
  kind: EventKind;
  title: string;
  summary: string;
  description: string;
  venue: string;
  address: string;
  region: Region;
  mode: EventMode;
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  /** Places in the room (in person, hybrid), or the online places of an online event. */
  capacity: number;
  /** A hybrid event's online places (null otherwise). */
  onlineCapacity: number | null;
  status: EventStatus;
  bookingOpensAt: Date | null;
  bookingClosesAt: Date | null;
  sequence: number;
  currency: string;
  allowsInvoice: boolean;
  refundDeadlineAt: Date | null;
  /** The organiser's cut-off for changing or cancelling a single place; null or absent: the default (bookings/seats.ts `seatChangesCutoff`). */
  seatChangesUntil?: Date | null;
  refundFee: number;
  contactEmail: string | null;
  isAgm: boolean;
  cancelledAt: Date | null;
  /** When organisers last saved or changed the status of the event (the calendar entry's LAST-MODIFIED). */
  updatedAt: Date;
  access: EventAccess;
  followUps: FollowUpRules;
}

/** What the venue (or the online meeting) offers for access, as the organiser filled it in. */
export interface EventAccess {
  stepFree: boolean;
  hearingLoop: boolean;
  captions: boolean;
  bslOnRequest: boolean;
  quietRoom: boolean;
  /** The nearest accessible transport, in the organiser's words ('' when not given). */
  transport: string;
  /** Anything else a person needs to know before coming ('' when not given). */
  notes: string;
}

/** An event whose organiser has said nothing about access yet. */
export const NO_ACCESS_DETAILS: EventAccess = Object.freeze({ stepFree: false, hearingLoop: false, captions: false, bslOnRequest: false, quietRoom: false, transport: '', notes: '' });

/**
 * Where the event is, in one line for an email that is not about one person's place (an announcement, a message to
 * everyone): "Online" for an online event (its venue field is usually empty), the venue and address with ", or online"
 * for a hybrid one.
 */
export function placeLine(event: Pick<EventRecord, 'mode' | 'venue' | 'address'>): string {
  if (event.mode === 'online') return 'Online';
  const venue = [event.venue, event.address].map((p) => p.trim()).filter(Boolean).join(', ');
  if (event.mode === 'hybrid') return venue ? `${venue}, or online` : 'In person or online';
  return venue;
}

/** The access facts as sentences for a page or an email, in a fixed order; empty when nothing was filled in. */
export function accessLines(access: EventAccess): string[] {
  return [
    access.stepFree && 'Step-free access',
    access.hearingLoop && 'Hearing loop',
    access.captions && 'Live captions',
    access.bslOnRequest && 'British Sign Language interpreter on request (ask when you book)',
    access.quietRoom && 'Quiet room',
    access.transport && `Nearest accessible transport: ${access.transport}`,
    access.notes,
  ].filter((line): line is string => typeof line === 'string' && line.length > 0);
}

export interface TicketTypeRecord {
  id: number;
  eventId: number;
  name: string;
  description: string;
  price: number;
  currency: string;
  membersOnly: boolean;
  quota: number | null;
  salesStartsAt: Date | null;
  salesEndsAt: Date | null;
  position: number;
  isActive: boolean;
  /** Not on public sale: bookable only with a discount code that reveals it (a speaker ticket). */
  isHidden?: boolean;
}

/** Seats taken, by event and by ticket type. */
export interface SeatCounts {
  taken: number;
  byTicketType: Map<number, number>;
  /** Seats taken by how they take part (every seat of an in-person event is in person). */
  byMode: Record<AttendanceMode, number>;
}
