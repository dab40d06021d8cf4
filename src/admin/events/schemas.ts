import { z } from 'zod';
import { EVENT_KINDS, EVENT_MODES, REGIONS } from '../../events/types';
import { parseMoney } from '../../lib/money';
import { multiLineText, singleLineText } from '../../lib/text';
import { isTimeZone, parseLocalDateTime } from '../../lib/time';

// Every field an organiser types follows the one text rule (lib/text.ts): NFC, trimmed, no control or bidi characters.
const text = (max: number) => singleLineText(max, { notText: 'Enter some text' });
const lines = (max: number) => multiLineText(max, { notText: 'Enter some text' });
const required = (max: number, message: string) => text(max).min(1, message);
const requiredLines = (max: number, message: string) => lines(max).min(1, message);
const optionalText = (max: number) => z.preprocess((v) => v ?? '', text(max));
const optionalLines = (max: number) => z.preprocess((v) => v ?? '', lines(max));
/** A value that must then match a format (a time zone, an address): the text rule first, so its message is the precise one. */
const formatted = (max: number) => z.preprocess((v) => (typeof v === 'string' ? v : ''), text(max));
/** An unticked checkbox sends nothing at all. */
const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === '1' || v === true, z.boolean());

const pounds = (message: string) =>
  z.preprocess((v) => v ?? '', z.string().trim()).transform((value, ctx) => {
    const pence = parseMoney(value === '' ? '0' : value);
    if (pence === null) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return pence;
  });

const wholeNumber = (message: string, min: number, max: number) =>
  z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.string().regex(/^\d{1,6}$/, message).transform(Number).pipe(z.number().int().min(min, message).max(max, message)));

const optionalWholeNumber = (message: string) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined), z.string().regex(/^\d{1,6}$/, message).transform(Number).optional());

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,119}$/;

/** Times typed into datetime-local inputs, read in the event's own zone after the zone itself is known to be valid. */
function readTimes<K extends string>(
  values: Record<K, string>,
  zone: string,
  ctx: z.RefinementCtx,
  fields: Array<{ key: K; required: boolean; label: string }>,
): Record<K, Date | null> {
  const out = {} as Record<K, Date | null>;
  for (const { key, required: isRequired, label } of fields) {
    const raw = values[key];
    if (!raw) {
      if (isRequired) ctx.addIssue({ code: 'custom', path: [key], message: `Enter the ${label}` });
      out[key] = null;
      continue;
    }
    const parsed = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(raw) ? parseLocalDateTime(raw, zone) : null;
    if (!parsed) ctx.addIssue({ code: 'custom', path: [key], message: `Enter the ${label} as a date and time, like 2026-04-14T18:00` });
    out[key] = parsed;
  }
  return out;
}

const localTime = z.preprocess((v) => v ?? '', text(30));

/** A field's raw text, for the rules between fields, which must run even when some field is wrong. */
const raw = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/**
 * The fields' own checks and the rules between fields, both run on every submit, so the form reports every mistake
 * at once: a zod object stops before its refinements as soon as one field fails, which showed the end-before-start
 * or missing-venue errors only on the next submit. `rules` reads the raw input (only what it can make sense of) and
 * returns what `build` needs to finish the value.
 */
export function allAtOnce<S extends z.ZodType<Record<string, unknown>>, R, O>(
  fields: S,
  rules: (input: Record<string, unknown>, ctx: z.RefinementCtx) => R,
  build: (value: z.output<S>, ruled: R) => O,
) {
  return z.record(z.string(), z.unknown()).transform((input, ctx): O => {
    const parsed = fields.safeParse(input);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    const ruled = rules(input, ctx);
    return parsed.success ? build(parsed.data, ruled) : (z.NEVER as O);
  });
}

const eventFields = z
  .object({
    title: required(200, 'Enter a title'),
    slug: z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : ''), z.string().refine((s) => s === '' || SLUG_PATTERN.test(s), 'Use lower-case letters, digits and hyphens only, like march-evening-meeting')),
    kind: z.enum(EVENT_KINDS, { message: 'Choose the kind of event' }),
    region: z.enum(REGIONS, { message: 'Choose a region' }),
    summary: optionalText(500),
    description: optionalLines(20000),
    venue: optionalText(300),
    address: optionalText(500),
    mode: z.preprocess((v) => v ?? 'in_person', z.enum(EVENT_MODES, { message: 'Choose in person, online or hybrid' })),
    /** The meeting's address: https only (a plain-http meeting link would leak its passcode on the way). */
    meetingUrl: formatted(500).pipe(z.union([z.literal(''), z.url({ protocol: /^https$/, message: 'Enter the meeting address starting with https://' })])),
    meetingPasscode: optionalText(100),
    meetingDialIn: optionalLines(1000),
    joinOpensAt: localTime,
    timezone: formatted(60).refine(isTimeZone, 'Enter an IANA time zone, like Europe/London'),
    startsAt: localTime,
    endsAt: localTime,
    capacity: wholeNumber('Enter the number of places, from 1 to 100000', 1, 100000),
    /** A hybrid event's online places; checked by the rules (required for hybrid only). */
    onlineCapacity: localTime,
    bookingOpensAt: localTime,
    bookingClosesAt: localTime,
    refundDeadlineAt: localTime,
    /** When attendee changes close: until then one place may be changed or cancelled from its page; blank: the refund deadline, or the start. */
    seatChangesUntil: localTime,
    refundFee: pounds('Enter the fee kept on refunds in pounds, like 10.00'),
    allowsInvoice: checkbox,
    isAgm: checkbox,
    contactEmail: formatted(200).pipe(z.union([z.literal(''), z.email('Enter an email address like events@hsug.org.uk')])),
    accessStepFree: checkbox,
    accessHearingLoop: checkbox,
    accessCaptions: checkbox,
    accessBsl: checkbox,
    accessQuietRoom: checkbox,
    accessTransport: optionalText(500),
    accessNotes: optionalLines(1000),
  })
;

/** The time zone when it is valid, else UTC, so the times' own format can still be checked. */
const zoneOf = (input: Record<string, unknown>) => (isTimeZone(raw(input.timezone)) ? raw(input.timezone) : 'UTC');

function eventRules(input: Record<string, unknown>, ctx: z.RefinementCtx) {
  const values = { startsAt: raw(input.startsAt), endsAt: raw(input.endsAt), bookingOpensAt: raw(input.bookingOpensAt), bookingClosesAt: raw(input.bookingClosesAt), refundDeadlineAt: raw(input.refundDeadlineAt), seatChangesUntil: raw(input.seatChangesUntil), joinOpensAt: raw(input.joinOpensAt) };
  const times = readTimes(values, zoneOf(input), ctx, [
    { key: 'startsAt', required: true, label: 'start' },
    { key: 'endsAt', required: true, label: 'end' },
    { key: 'bookingOpensAt', required: false, label: 'time booking opens' },
    { key: 'bookingClosesAt', required: false, label: 'time booking closes' },
    { key: 'refundDeadlineAt', required: false, label: 'refund deadline' },
    { key: 'seatChangesUntil', required: false, label: 'time attendee changes close' },
    { key: 'joinOpensAt', required: false, label: 'time the joining links open' },
  ]);
  if (times.startsAt && times.joinOpensAt && times.joinOpensAt > times.startsAt) {
    ctx.addIssue({ code: 'custom', path: ['joinOpensAt'], message: 'The joining links must open before the start' });
  }
  if (times.startsAt && times.seatChangesUntil && times.seatChangesUntil > times.startsAt) {
    ctx.addIssue({ code: 'custom', path: ['seatChangesUntil'], message: 'Attendee changes must close before the start' });
  }
  if (times.startsAt && times.endsAt && times.endsAt <= times.startsAt) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'The end must be after the start' });
  if (times.bookingOpensAt && times.bookingClosesAt && times.bookingClosesAt <= times.bookingOpensAt) {
    ctx.addIssue({ code: 'custom', path: ['bookingClosesAt'], message: 'Booking must close after it opens' });
  }
  const mode = raw(input.mode) || 'in_person';
  if (mode !== 'online' && !raw(input.venue)) ctx.addIssue({ code: 'custom', path: ['venue'], message: 'Enter a venue (or choose Online if nobody comes in person)' });
  let onlineCapacity: number | null = null;
  if (mode === 'hybrid') {
    const typed = raw(input.onlineCapacity);
    onlineCapacity = /^\d{1,6}$/.test(typed) && Number(typed) >= 1 && Number(typed) <= 100000 ? Number(typed) : null;
    if (onlineCapacity === null) ctx.addIssue({ code: 'custom', path: ['onlineCapacity'], message: 'Enter the number of online places, from 1 to 100000' });
  }
  return { ...times, onlineCapacity };
}

/** The event form; every field's mistake and every rule between fields is reported in one answer. */
export const eventFormSchema = allAtOnce(eventFields, eventRules, (v, times) => ({
  ...v,
  slug: v.slug || null,
  onlineCapacity: times.onlineCapacity,
  meeting: { url: v.meetingUrl || null, passcode: v.meetingPasscode || null, dialIn: v.meetingDialIn || null, opensAt: times.joinOpensAt },
  contactEmail: v.contactEmail || null,
  startsAt: times.startsAt as Date,
  endsAt: times.endsAt as Date,
  bookingOpensAt: times.bookingOpensAt,
  bookingClosesAt: times.bookingClosesAt,
  refundDeadlineAt: times.refundDeadlineAt,
  seatChangesUntil: times.seatChangesUntil,
}));

export type EventInput = z.output<typeof eventFormSchema>;

/** A ticket type's form; its sales window is read in the event's zone. */
export function ticketFormSchema(zone: string) {
  const fields = z.object({
    name: required(120, 'Enter a name for the ticket type, like Member or Free registration'),
    description: optionalText(300),
    price: pounds('Enter a price in pounds, like 95.00 (0 for free)'),
    membersOnly: checkbox,
    quota: optionalWholeNumber('Enter a whole number of places, or leave it empty for no limit'),
    salesStartsAt: localTime,
    salesEndsAt: localTime,
    isActive: checkbox,
    /** Not on public sale: only a discount code that reveals it books it (a speaker ticket). */
    isHidden: checkbox,
  });
  const rules = (input: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const times = readTimes({ salesStartsAt: raw(input.salesStartsAt), salesEndsAt: raw(input.salesEndsAt) }, zone, ctx, [
      { key: 'salesStartsAt', required: false, label: 'start of sales' },
      { key: 'salesEndsAt', required: false, label: 'end of sales' },
    ]);
    if (times.salesStartsAt && times.salesEndsAt && times.salesEndsAt <= times.salesStartsAt) {
      ctx.addIssue({ code: 'custom', path: ['salesEndsAt'], message: 'Sales must end after they start' });
    }
    return times;
  };
  return allAtOnce(fields, rules, (v, times) => ({ ...v, quota: v.quota ?? null, salesStartsAt: times.salesStartsAt, salesEndsAt: times.salesEndsAt }));
}

export type TicketInput = z.output<ReturnType<typeof ticketFormSchema>>;

export const cancelFormSchema = z.object({
  reason: requiredLines(300, 'Say briefly why the event is cancelled; attendees see this'),
  confirm: z.literal('yes', { message: 'Tick the box to confirm you want to cancel the event' }),
});

export const idParam = z.coerce.number().int().positive();
