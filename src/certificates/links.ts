import type { Config } from '../config';
import { manageToken, seatToken } from '../lib/links';

/** A seat as links need it: its id, calendar UID and email, and whether it has its own link (seats placed before seat links do not). */
export interface SeatForLink {
  id: number;
  icalUid: string;
  email: string;
  manageTokenHash: string | null;
}

/** The private token that opens this seat's pages: its own, else (an older seat) the booking's. */
export function seatLinkToken(config: Config, reference: string, seat: SeatForLink): string {
  return seat.manageTokenHash ? seatToken(config, seat.icalUid, seat.email) : manageToken(config, reference);
}

/** The seat's certificate page (download, name correction), for the person holding it. */
export function certificatePageUrl(config: Config, reference: string, seat: SeatForLink): string {
  return `${config.publicUrl}/bookings/${reference}/seats/${seat.id}/certificate?token=${seatLinkToken(config, reference, seat)}`;
}

/** The public verification page, already showing this code's certificate (the code without dashes, so a printed link never breaks at one). */
export function verifyUrl(config: Config, code: string): string {
  return `${config.publicUrl}/certificates/verify?code=${code}`;
}
