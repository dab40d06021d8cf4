import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import { findEventBySlug } from '../events/queries';
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
