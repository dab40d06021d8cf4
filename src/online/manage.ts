import type { ServiceContext } from '../context';
import type { BookingView } from '../bookings';
import { remainingForMode } from '../events/availability';
import { countSeatsTaken } from '../events/queries';
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
  const counts = event.mode === 'hybrid' ? (await countSeatsTaken(ctx.db, [event.id], now)).get(event.id) : undefined;
  const canSwitch = event.mode === 'hybrid' && isConfirmed && now < event.startsAt;
  const own = active.find((a) => normaliseEmail(a.email) === normaliseEmail(booking.buyerEmail) && a.mode === 'online');
  const meeting = own && isConfirmed ? await findMeeting(ctx.db, event.id) : null;
  const attended = active.some((a) => a.checkedInAt !== null || a.joinedAt !== null);
  const materials = isConfirmed && active.length > 0 ? visibleTo(await listMaterials(ctx.db, event.id), attended ? 'attendee' : 'registrant') : [];
  const linkSeat = active.find((a) => a.checkedInAt !== null || a.joinedAt !== null) ?? active[0];
  return {
    modeLabel: event.mode === 'in_person' ? null : MODE_LABELS[event.mode],
    seats: new Map(active.map((a) => {
      const other = a.mode === 'online' ? 'in_person' : 'online';
      const left = counts ? remainingForMode(event, counts, other) : 0;
      return [a.id, {
        modeLabel: event.mode === 'in_person' ? null : ATTENDANCE_LABELS[a.mode],
        switchTo: canSwitch ? { mode: other, label: other === 'online' ? 'Take part online instead' : 'Come in person instead', left, isFull: left === 0, action: `/bookings/${booking.reference}/seats/${a.id}/mode` } : null,
      }];
    })),
    ownJoin: own && meeting && now < event.endsAt ? { url: joinUrl(ctx.config, own), opensAt: inEventZone(linkOpensAt(event, meeting), event.timezone) } : null,
    materials: materials.map((m) => materialLink(ctx.config, m, event.slug, linkSeat?.id)),
    token,
  };
}
