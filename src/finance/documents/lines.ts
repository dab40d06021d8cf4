import type { DocumentLine } from './snapshot';
import { splitVat } from './vat';

/**
 * The lines of every finance document, made in one place so that a new column (a discount, issue 18) is added once.
 * One line per place (the attendee's name, the ticket type, quantity 1, the unit price, any discount-code discount and
 * the line total), then any
 * adjustment lines (a cancellation fee kept, an amount already paid), each with its VAT by the rule in `vat.ts`.
 */

export interface PlaceForLine {
  attendeeName: string;
  ticketType: string;
  /** The list price, before any discount code. */
  unitPrice: number;
  /** What a discount code took off (0 without one): the line total is unitPrice − discount. */
  discount: number;
}

/** What a place's line comes to: its price less any discount. */
export const chargedFor = (p: PlaceForLine) => p.unitPrice - p.discount;

export interface AdjustmentForLine {
  description: string;
  /** Minor units, VAT included; negative for what is taken off. */
  amount: number;
}

export function documentLines(places: PlaceForLine[], adjustments: AdjustmentForLine[], vatRate: number | null): DocumentLine[] {
  const lines: DocumentLine[] = places.map((p) => {
    const split = splitVat(chargedFor(p), vatRate);
    return { description: p.attendeeName, ticketType: p.ticketType, quantity: 1, unitPrice: p.unitPrice, discount: p.discount, ...split };
  });
  for (const a of adjustments) {
    if (a.amount === 0) continue;
    lines.push({ description: a.description, ticketType: null, quantity: 1, unitPrice: a.amount, discount: 0, ...splitVat(a.amount, vatRate) });
  }
  return lines;
}

/** Totals are sums of the lines, never recomputed from a total: net + VAT = gross holds exactly. */
export function documentTotals(lines: DocumentLine[]): { net: number; vat: number; gross: number } {
  return lines.reduce((t, l) => ({ net: t.net + l.net, vat: t.vat + l.vat, gross: t.gross + l.gross }), { net: 0, vat: 0, gross: 0 });
}
