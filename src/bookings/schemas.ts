import { z } from 'zod';
import { emailText, multiLineText, singleLineText } from '../lib/text';
import { answersSchema } from './questions';

// Every field a person types follows the one text rule (lib/text.ts): NFC, trimmed, no control or bidi characters.
const requiredText = (max: number, label: string) => singleLineText(max).min(1, `Enter your ${label}`);
const blankToUndefined = (v: string | null | undefined) => (v ? v : undefined);
const optionalText = (max: number) => singleLineText(max).nullish().transform(blankToUndefined).optional();
const optionalLines = (max: number) => multiLineText(max).nullish().transform(blankToUndefined).optional();
const email = emailText('Enter an email address like name@example.org');

/**
 * A discount code as typed, wherever it is typed (the API, the booking form, its Apply code, the event page's code
 * form): the text rule, at most 40 characters; blank is none. Read before anything looks it up, so no odd input
 * reaches the database or is repeated back in a message.
 */
export const discountCodeText = singleLineText(40, { tooLong: 'A discount code is at most 40 characters; check it is typed as you were given it' }).nullish().transform(blankToUndefined).optional();

export const personSchema = z.object({
  name: requiredText(200, 'name'),
  email,
  organisation: optionalText(200),
});

export const attendeeSchema = personSchema.extend({
  dietary: optionalLines(500),
  accessibility: optionalLines(500),
  /** How the attendee takes part: required for a hybrid event, else the event's own way (bookings/rules.ts `resolveSeatModes`). */
  mode: z.enum(['in_person', 'online'], { message: 'Choose in person or online' }).optional(),
});

export const bookingRequestSchema = z
  .object({
    buyer: personSchema,
    items: z
      .array(
        z.object({
          ticketTypeId: z.number().int().positive().optional(),
          /** The unit price the buyer was shown, in minor units; refused with price_changed if it no longer holds. */
          expectedPrice: z.number().int().min(0).optional(),
          attendee: attendeeSchema,
          /** Answers to the per-attendee questions, keyed by question id. */
          answers: answersSchema,
        }),
      )
      .min(1, 'Add at least one attendee')
      .max(20, 'At most 20 places in one booking'),
    paymentMethod: z.enum(['stripe', 'invoice']).optional(),
    purchaseOrder: optionalText(100),
    /** The accounts contact's name. */
    billingContact: optionalText(300),
    /** Where the invoice and credit notes are copied when it differs from the buyer's email. */
    billingEmail: z.preprocess((v) => (v === '' || v === null ? undefined : v), emailText('Enter the billing email address like accounts@example.nhs.uk').optional()),
    /** The postal address the invoice is addressed to (several lines). */
    billingAddress: optionalLines(1000),
    /** A discount code (case and surrounding spaces do not matter). */
    discountCode: discountCodeText,
    /** Answers to the per-booking questions, keyed by question id. */
    answers: answersSchema,
  })
  .superRefine((value, ctx) => {
    const seen = new Map<string, number>();
    value.items.forEach((item, index) => {
      const key = item.attendee.email.toLowerCase();
      if (seen.has(key)) {
        ctx.addIssue({ code: 'custom', path: ['items', index, 'attendee', 'email'], message: 'Each attendee needs their own email address' });
      }
      seen.set(key, index);
    });
  });

export type BookingRequest = z.infer<typeof bookingRequestSchema>;

/** The public registration form for a free event: one person registering themselves. */
export const registrationFormSchema = attendeeSchema;

export const referenceSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^HSUG-[0-9A-Z]{4}-[0-9A-Z]{4}$/, 'Not a booking reference');

/** A private link's token: base64url (lib/tokens.ts makes 43 characters). */
export const tokenSchema = z.string().regex(/^[A-Za-z0-9_-]{20,200}$/);

export const resendSchema = z.object({ email });

/** A seat's details, as its holder or the buyer changes them on the seat page; a blank optional field clears it. */
export const seatDetailsSchema = attendeeSchema;
export type SeatDetails = z.infer<typeof seatDetailsSchema>;

/** A hybrid place moving to the other mode (`POST /bookings/:reference/seats/:id/mode`); `from: 'seat'` when sent from the seat's own page. */
export const modeSwitchSchema = z.object({ token: tokenSchema, mode: z.enum(['in_person', 'online']), from: z.string().max(20).optional() });
