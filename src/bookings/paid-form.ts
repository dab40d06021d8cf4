import { z } from 'zod';
import { ValidationError } from '../lib/errors';
import { answersFromForm } from './question-present';
import type { BookingRequest } from './schemas';

/** Form field names for the booking form; API paths map onto them for errors beside fields. */
export function fieldForPath(path: string): string {
  const answer = /^(?:items\.(\d+)\.)?answers\.(\d+)$/.exec(path);
  if (answer) return answer[1] === undefined ? `answer_${answer[2]}` : `seat_${answer[1]}_answer_${answer[2]}`;
  const seat = /^items\.(\d+)\.(?:attendee\.)?(\w+)$/.exec(path);
  if (seat) {
    const field = { ticketTypeId: 'type', expectedPrice: 'price' }[seat[2]] ?? seat[2];
    return `seat_${seat[1]}_${field}`;
  }
  return (
    { 'buyer.name': 'buyer_name', 'buyer.email': 'buyer_email', 'buyer.organisation': 'buyer_organisation', purchaseOrder: 'purchase_order', billingContact: 'billing_contact', billingEmail: 'billing_email', billingAddress: 'billing_address', paymentMethod: 'payment_method', discountCode: 'discount_code' }[path] ?? path
  );
}

/**
 * Errors keyed by form field. Seat errors name their place ("Place 2: …"), and a first place left
 * blank (it is the buyer's) reports nothing of its own: the buyer's fields already say what is wrong.
 */
export function formErrors(error: ValidationError, form: Record<string, unknown> = {}): Record<string, string> {
  const map: Record<string, string> = {};
  const firstPlaceIsBuyer = !form.seat_0_name && !form.seat_0_email;
  for (const d of error.details ?? []) {
    const field = fieldForPath(d.path);
    const seat = /^seat_(\d+)_(\w+)$/.exec(field);
    if (seat && seat[1] === '0' && firstPlaceIsBuyer && (seat[2] === 'name' || seat[2] === 'email')) continue;
    const message = seat ? `Place ${Number(seat[1]) + 1}: ${d.message.replace(/\byour\b/, "the attendee's")}` : d.message;
    if (!(field in map)) map[field] = message;
  }
  return map;
}

/**
 * A member price refused for a place (409 `membership_required`) is the place's ticket that must change: its details
 * point at the attendee's email (the API's contract); the form marks the place's ticket choice instead, where the
 * non-member price is offered, and says what to do.
 */
export function membershipFormDetails(details: Array<{ path: string; message: string }>): Array<{ path: string; message: string }> {
  return details.map((d) => {
    const seat = /^items\.(\d+)\.attendee\.email$/.exec(d.path);
    if (!seat) return d;
    return { path: `items.${seat[1]}.ticketTypeId`, message: `${d.message}, so this place cannot have the member price. Choose another ticket for it below, or check the email address` };
  });
}

/** Where each error in the booking form's summary leads: the control that shows it (a place's price error shows on its ticket). */
export function formErrorLinks(errors: Record<string, string>): Array<{ href: string; message: string }> {
  return Object.entries(errors).map(([field, message]) => ({ href: `field-${field.replace(/^(seat_\d+)_price$/, '$1_type')}`, message }));
}

const quantity = z.coerce.number({ message: 'Choose a number of places' }).int().min(0).max(20);

/** Step one: how many places of each ticket type ("qty_<ticket type id>"). */
export function parseQuantities(query: Record<string, unknown>): Array<{ ticketTypeId: number; quantity: number }> {
  const wanted: Array<{ ticketTypeId: number; quantity: number }> = [];
  const problems: Array<{ path: string; message: string }> = [];
  for (const [key, value] of Object.entries(query)) {
    const match = /^qty_(\d+)$/.exec(key);
    if (!match) continue;
    const parsed = quantity.safeParse(value === '' ? 0 : value);
    if (!parsed.success) problems.push({ path: key, message: 'Choose a number of places from 0 to 20' });
    else if (parsed.data > 0) wanted.push({ ticketTypeId: Number(match[1]), quantity: parsed.data });
  }
  const total = wanted.reduce((s, w) => s + w.quantity, 0);
  if (!problems.length && total === 0) problems.push({ path: 'quantity', message: 'Choose at least one place' });
  if (total > 20) problems.push({ path: 'quantity', message: 'At most 20 places in one booking; contact us for larger groups' });
  if (problems.length) throw new ValidationError(problems);
  return wanted;
}

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Turns the flat booking form into the API's booking request (validated afterwards by the same schema). */
export function bookingRequestFromForm(form: Record<string, unknown>): BookingRequest {
  const seats: BookingRequest['items'] = [];
  for (let i = 0; `seat_${i}_type` in form && i < 20; i++) {
    const typeId = Number(text(form[`seat_${i}_type`]));
    // A place offered a choice of tickets sends each choice's price; the one that counts is the chosen ticket's.
    const price = Number(text(form[`seat_${i}_price_${typeId}`]) ?? text(form[`seat_${i}_price`]));
    let name = text(form[`seat_${i}_name`])?.trim() ?? '';
    let email = text(form[`seat_${i}_email`])?.trim() ?? '';
    // The first place is the buyer's own unless someone else is named.
    if (i === 0 && !name && !email) {
      name = text(form.buyer_name) ?? '';
      email = text(form.buyer_email) ?? '';
    }
    seats.push({
      ticketTypeId: Number.isInteger(typeId) && typeId > 0 ? typeId : undefined,
      expectedPrice: Number.isInteger(price) && price >= 0 ? price : undefined,
      attendee: {
        name,
        email,
        organisation: text(form[`seat_${i}_organisation`]) || text(form.buyer_organisation),
        dietary: text(form[`seat_${i}_dietary`]),
        accessibility: text(form[`seat_${i}_accessibility`]),
        // A hybrid event's choice (in person or online); anything else is refused by the schema, beside the field.
        mode: (text(form[`seat_${i}_mode`]) || undefined) as 'in_person' | 'online' | undefined,
      },
      answers: answersFromForm(form, `seat_${i}_`),
    });
  }
  return {
    buyer: { name: text(form.buyer_name) ?? '', email: text(form.buyer_email) ?? '', organisation: text(form.buyer_organisation) },
    items: seats,
    paymentMethod: form.payment_method === 'invoice' ? 'invoice' : 'stripe',
    purchaseOrder: text(form.purchase_order),
    billingContact: text(form.billing_contact),
    billingEmail: text(form.billing_email),
    billingAddress: text(form.billing_address),
    discountCode: text(form.discount_code),
    answers: answersFromForm(form, ''),
  };
}
