import type { ServiceContext } from '../context';
import type { BookingView } from '../bookings';
import type { SeatView } from '../bookings/seats';
import { remainingForMode } from '../events/availability';
import { countSeatsTaken } from '../events/queries';
import { hasAttended } from '../certificates/attendance';
import { ATTENDANCE_LABELS, MODE_LABELS } from '../events/types';
import { normaliseEmail } from '../lib/email';
import { joinUrl } from '../lib/links';
import { findMeeting, inEventZone, linkOpensAt } from './meetings';
import { listMaterials, materialLink, visibleTo } from './materials';

/**
 * What the booking page adds for an online or hybrid event, and after any event: how each place takes part (with a
 * button to switch a hybrid place while the other mode has room), the buyer's own joining link, and the slides and
 * recordings the booking's people may see.
 */
export async function manageOnlineParts(ctx: ServiceContext, view: BookingView, token: string) {
  const { booking, event, attendees } = view;
  const now = ctx.clock.now();
  const active = attendees.filter((a) => a.status === 'active');
  const isConfirmed = booking.status === 'confirmed' && event.status === 'published';
  const switches = await seatSwitches(ctx, view, now);
  const own = active.find((a) => normaliseEmail(a.email) === normaliseEmail(booking.buyerEmail) && a.mode === 'online');
  // "Attended" is the certificates' one definition (door, joining link, or an uploaded attendance report), as the thank-you's.
  const all = isConfirmed && active.length > 0 ? await listMaterials(ctx.db, event.id) : [];
  const attendedSeat = all.some((m) => m.visibility === 'attendees') ? await firstAttended(ctx, view, active) : undefined;
  const materials = visibleTo(all, attendedSeat ? 'attendee' : 'registrant');
  const linkSeat = attendedSeat ?? active[0];
  return {
    modeLabel: event.mode === 'in_person' ? null : MODE_LABELS[event.mode],
    seats: new Map(active.map((a) => [a.id, switches(a)])),
    ownJoin: own ? await joiningFor(ctx, view, own, now) : null,
    materials: materials.map((m) => materialLink(ctx.config, m, event.slug, linkSeat?.id)),
    token,
  };
}

/**
 * What a seat's own page adds (`/bookings/:reference/seats/:id`), like the booking page does for the buyer's places: how
 * the place takes part with its switch button, the holder's own joining link (the buyer looking at a colleague's place
 * does not see the colleague's: it is personal and records that they joined), and the materials that place may see.
 */
export async function seatOnlineParts(ctx: ServiceContext, view: SeatView, token: string) {
  const { booking, event, seat } = view;
  const now = ctx.clock.now();
  const isConfirmed = booking.status === 'confirmed' && event.status === 'published' && seat.status === 'active';
  const all = isConfirmed ? await listMaterials(ctx.db, event.id) : [];
  const attended = all.some((m) => m.visibility === 'attendees') && (await hasAttended(ctx.db, event, seat.id));
  const materials = visibleTo(all, attended ? 'attendee' : 'registrant');
  const parts = seat.status === 'active' ? (await seatSwitches(ctx, view, now))(seat) : { modeLabel: null, switchTo: null };
  return {
    ...parts,
    ownJoin: view.actor === 'holder' && seat.mode === 'online' ? await joiningFor(ctx, view, seat, now) : null,
    materials: materials.map((m) => materialLink(ctx.config, m, event.slug, seat.id)),
    token,
  };
}

type Seat = BookingView['attendees'][number];

/** The first of these places that attended (certificates' definition), if any. */
async function firstAttended(ctx: ServiceContext, view: BookingView, seats: Seat[]): Promise<Seat | undefined> {
  for (const seat of seats) if (await hasAttended(ctx.db, view.event, seat.id)) return seat;
  return undefined;
}

/** Each place's mode label and, for a confirmed hybrid place before the start, the button to the other mode. */
async function seatSwitches(ctx: ServiceContext, view: BookingView, now: Date) {
  const { booking, event } = view;
  const isConfirmed = booking.status === 'confirmed' && event.status === 'published';
  const counts = event.mode === 'hybrid' ? (await countSeatsTaken(ctx.db, [event.id], now)).get(event.id) : undefined;
  const canSwitch = event.mode === 'hybrid' && isConfirmed && now < event.startsAt;
  return (a: Seat) => {
    const other = a.mode === 'online' ? 'in_person' : 'online';
    const left = counts ? remainingForMode(event, counts, other) : 0;
    return {
      modeLabel: event.mode === 'in_person' ? null : ATTENDANCE_LABELS[a.mode],
      switchTo: canSwitch ? { mode: other, label: other === 'online' ? 'Take part online instead' : 'Come in person instead', left, isFull: left === 0, action: `/bookings/${booking.reference}/seats/${a.id}/mode` } : null,
    };
  };
}

/** A confirmed online place's own joining link and when it opens (in the event's zone), until the event ends. */
async function joiningFor(ctx: ServiceContext, view: BookingView, seat: Seat, now: Date) {
  const { booking, event } = view;
  if (booking.status !== 'confirmed' || event.status !== 'published' || seat.status !== 'active' || seat.mode !== 'online' || now >= event.endsAt) return null;
  const meeting = await findMeeting(ctx.db, event.id);
  return { url: joinUrl(ctx.config, seat), opensAt: inEventZone(linkOpensAt(event, meeting), event.timezone) };
}
