import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import { findEventBySlug, listTicketTypes } from '../events/queries';
import type { TicketTypeRecord } from '../events/types';
import { findDiscountCode, previewDiscount } from './discounts';
import { resolveTicketTypes } from './rules';
import { NotFoundError, ValidationError, type ErrorDetail } from '../lib/errors';
import { checkAnswers, listQuestions, type AnswersInput } from './questions';
import { bookingRequestSchema, type BookingRequest } from './schemas';
import { queueBookingNotice } from './notify';
import { findActiveBookingForEmail } from './queries';

/** Sends the booking's confirmation again to whoever asks with a registered email; silent otherwise. Throws 404 `event_not_found`. */
export async function resendConfirmation(ctx: ServiceContext, slug: string, email: string): Promise<void> {
  const event = await findEventBySlug(ctx.db, slug);
  if (!event) throw new NotFoundError('event_not_found', 'No event with that address.');
  const booking = await findActiveBookingForEmail(ctx.db, event.id, email);
  if (!booking) return;
  const now = ctx.clock.now();
  // One resend per booking per ten minutes: the dedupe key makes repeats within the window no-ops.
  const window = Math.floor(now.getTime() / (10 * 60_000));
  await writeTransaction(ctx.db, (trx) => queueBookingNotice(trx, ctx, 'resent', booking.id, { dedupeSuffix: `resend-${window}` }));
  ctx.kickOutbox();
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a booking request (API body, or the form turned into one) and checks its answers against the event's
 * questions, so that one 422 names every wrong field at once: the people's details and the answers together. The
 * answers are checked again under the event's lock when the booking is placed (the questions may have changed).
 * An unknown event is left for the booking itself to refuse (404).
 */
export async function parseBookingRequest(ctx: ServiceContext, slug: string, raw: unknown): Promise<BookingRequest> {
  const parsed = bookingRequestSchema.safeParse(raw);
  const problems: ErrorDetail[] = parsed.success ? [] : (ValidationError.fromZod(parsed.error).details ?? []);
  const event = await findEventBySlug(ctx.db, slug);
  if (event) {
    const body = isRecord(raw) ? raw : {};
    const shape = {
      answers: isRecord(body.answers) ? (body.answers as AnswersInput) : undefined,
      items: Array.isArray(body.items) ? body.items.map((item: unknown) => ({ answers: isRecord(item) && isRecord(item.answers) ? (item.answers as AnswersInput) : undefined })) : [],
    };
    const answerProblems: ErrorDetail[] = [];
    checkAnswers(await listQuestions(ctx.db, event.id), shape, answerProblems);
    const seen = new Set(problems.map((p) => p.path));
    problems.push(...answerProblems.filter((p) => !seen.has(p.path)));
  }
  if (problems.length || !parsed.success) throw new ValidationError(problems);
  return parsed.data;
}

/**
 * The booking form's "Apply code": what the typed code takes off the places chosen, before anything is booked. Throws
 * 409 `discount_code_*` (detail on `discountCode`), 422 for a ticket type that is not on sale, 404 for no event.
 */
export async function previewBookingDiscount(ctx: ServiceContext, slug: string, request: BookingRequest): Promise<{ code: string; discount: number; total: number; currency: string }> {
  const event = await findEventBySlug(ctx.db, slug);
  if (!event) throw new NotFoundError('event_not_found', 'No event with that address.');
  const types = (await listTicketTypes(ctx.db, [event.id])).get(event.id) ?? [];
  const now = ctx.clock.now();
  const revealed = request.discountCode ? ((await findDiscountCode(ctx.db, request.discountCode))?.revealsTicketTypeId ?? null) : null;
  const itemTypes = resolveTicketTypes(request, types, now, revealed);
  const { code, prices } = await previewDiscount(ctx.db, event, types, itemTypes, request.discountCode ?? '', now);
  return { code: code.code, discount: prices.reduce((s, p) => s + p.discount, 0), total: prices.reduce((s, p) => s + p.unitPrice, 0), currency: event.currency };
}

/**
 * The hidden ticket type (a speaker place) this code reveals at the event, if it is a code the event takes, active and
 * in its dates; undefined otherwise. Callers count the code against the guessing limit first.
 */
export async function revealedTicketType(ctx: ServiceContext, slug: string, typed: string): Promise<(TicketTypeRecord & { isHidden?: boolean }) | undefined> {
  const event = await findEventBySlug(ctx.db, slug);
  const code = await findDiscountCode(ctx.db, typed);
  if (!event || !code || code.revealsTicketTypeId === null || (code.eventId !== null && code.eventId !== event.id) || !code.isActive) return undefined;
  const now = ctx.clock.now();
  if ((code.validFrom && now < code.validFrom) || (code.validUntil && now >= code.validUntil)) return undefined;
  return ((await listTicketTypes(ctx.db, [event.id])).get(event.id) ?? []).find((t) => t.id === code.revealsTicketTypeId && t.isHidden);
}
