import type { AttendeeListRow } from './queries';
import { localStamp, paymentStatus, seatStatus, STATUS_LABELS } from './present';

/** The download columns, in order, shared by CSV, XLSX and JSON so they never drift apart. */
export const EXPORT_HEADERS = [
  'Booking reference', 'Name', 'Email', 'Organisation', 'Ticket type', 'Price (£)', 'Amount paid (£)', 'Payment status', 'Booking status',
  'Dietary', 'Accessibility', 'Booked at', 'Checked in at', 'Walk-in', 'Taking part', 'Joined online at',
  'List price (£)', 'Discount (£)', 'Discount code',
] as const;

/** The headers of one download: the fixed columns, then one per registration question (`answers.ts`). */
export function exportHeaders(questions: Array<{ header: string }>): string[] {
  return [...EXPORT_HEADERS, ...questions.map((q) => q.header)];
}

export interface ExportRecord {
  reference: string;
  name: string;
  email: string;
  organisation: string;
  ticketType: string;
  /** The seat's price, in minor units, whether or not it has been paid; formats decide how to show it. */
  price: number;
  /** Minor units received for the seat, net of refunds (`queries.ts` amountPaidForSeat): 0 for an unpaid invoice. */
  amountPaid: number;
  paymentStatus: string;
  bookingStatus: string;
  dietary: string;
  accessibility: string;
  bookedAt: Date;
  checkedInAt: Date | null;
  /** "Yes" for a place registered at the door by staff, else "". */
  walkIn: string;
  /** "In person" or "Online". */
  takingPart: string;
  joinedAt: Date | null;
  /** Minor units: the price before a discount code, and the code's discount (`price` is what the seat costs after it). */
  listPrice: number;
  discount: number;
  discountCode: string;
  /** One answer per question column, as people read them. */
  answers: string[];
}

export function toExportRecord(row: AttendeeListRow): ExportRecord {
  return {
    reference: row.reference,
    name: row.name,
    email: row.email,
    organisation: row.organisation ?? '',
    ticketType: row.ticketTypeName,
    price: row.unitPrice,
    amountPaid: row.amountPaid,
    paymentStatus: paymentStatus(row),
    bookingStatus: STATUS_LABELS[seatStatus(row)],
    dietary: row.dietary ?? '',
    accessibility: row.accessibility ?? '',
    bookedAt: row.bookedAt,
    checkedInAt: row.checkedInAt,
    walkIn: row.isWalkIn ? 'Yes' : '',
    takingPart: row.mode === 'online' ? 'Online' : 'In person',
    joinedAt: row.joinedAt,
    listPrice: row.listPrice,
    discount: row.discountAmount,
    discountCode: row.discountAmount > 0 ? (row.discountCode ?? '') : '',
    answers: row.answers ?? [],
  };
}

/** Pence as "95.00": text made by string, never through floats. */
export function poundsString(pence: number): string {
  return `${Math.floor(pence / 100)}.${String(pence % 100).padStart(2, '0')}`;
}

export function toCsvCells(r: ExportRecord, zone: string): string[] {
  return [
    r.reference, r.name, r.email, r.organisation, r.ticketType, poundsString(r.price), poundsString(r.amountPaid), r.paymentStatus, r.bookingStatus,
    r.dietary, r.accessibility, localStamp(r.bookedAt, zone), localStamp(r.checkedInAt, zone), r.walkIn, r.takingPart, localStamp(r.joinedAt, zone),
    poundsString(r.listPrice), poundsString(r.discount), r.discountCode, ...r.answers,
  ];
}
