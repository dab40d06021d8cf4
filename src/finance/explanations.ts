import { recordAudit, type Actor } from '../admin/audit/log';
import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import { ConflictError, NotFoundError } from '../lib/errors';
import { findExplanationInForce, insertExplanation, withdrawExplanation, type ExplanationRecord } from './explanation-queries';
import { reviewMismatches, type ExplainedMismatch, type Mismatch } from './mismatches';

/**
 * The treasurer's statements about Stripe money our records do not explain. Each is audited and reversible, and none
 * changes a booking or a payment:
 *
 * - **Mark as explained**: "this £42 is a donation through a payment link". The mismatch moves to the explained list
 *   with the note; the money still counts as "not from a booking" in the figures.
 * - **Attach to booking**: "this Stripe payment is the money for booking X". Offered only where it is honest: a
 *   Stripe payment with no booking, and a booking of ours that is confirmed as paid by card with no payment recorded,
 *   for the same amount. DESIGN.md's rule is that a Stripe object is ours only if we created it; attaching does not
 *   make it ours. It is the treasurer's audited statement, shown as such ("attached by the treasurer"): the money
 *   counts for the booking's event, and both mismatches are resolved; the booking's status, its payments and its
 *   refunds are untouched (bookings/ owns those, and a refund of that money is made in the Stripe dashboard).
 */

export interface ExplainInput {
  note: string;
}

export interface AttachInput extends ExplainInput {
  /** The booking's reference. */
  booking: string;
}

const notOpen = () => new NotFoundError('mismatch_not_found', 'There is no open mismatch about that Stripe object to explain: it may have been explained, attached or put right already.');

/** The open mismatch about this Stripe object that may be explained. Throws 404 `mismatch_not_found`. */
export async function findExplainable(ctx: ServiceContext, stripeObjectId: string): Promise<Mismatch> {
  const found = (await reviewMismatches(ctx)).open.find((m) => m.explainableId === stripeObjectId);
  if (!found) throw notOpen();
  return found;
}

/** The statement in force about this object, with the mismatch it explains. Throws 404 `mismatch_not_found`. */
export async function findExplained(ctx: ServiceContext, stripeObjectId: string): Promise<ExplainedMismatch> {
  const found = (await reviewMismatches(ctx)).explained.find((m) => m.explainableId === stripeObjectId);
  if (!found) throw new NotFoundError('mismatch_not_found', 'Nothing about that Stripe object is marked as explained.');
  return found;
}

/** Inserts the statement; a second one in force for the same object (two treasurers at once) is a 409 `already_explained`. */
async function state(ctx: ServiceContext, actor: Actor, mismatch: Mismatch, kind: ExplanationRecord['kind'], note: string, booking: { id: number; reference: string } | null): Promise<void> {
  const now = ctx.clock.now();
  await writeTransaction(ctx.db, async (trx) => {
    if (await findExplanationInForce(trx, mismatch.explainableId!)) throw new ConflictError('already_explained', 'Someone has already explained this; see the explained list.');
    const id = await insertExplanation(trx, { stripeObjectId: mismatch.explainableId!, kind, bookingId: booking?.id ?? null, note, userId: actor.id, createdBy: actor.email }, now);
    await recordAudit(
      trx,
      actor,
      {
        action: kind === 'attached' ? 'stripe_payment_attached' : 'mismatch_explained',
        targetType: 'stripe_object',
        targetId: mismatch.explainableId,
        details: { explanationId: id, kind: mismatch.kind, amount: mismatch.amount, currency: mismatch.currency, note, ...(booking ? { bookingReference: booking.reference } : {}) },
      },
      now,
    );
  });
}

/** Marks an open mismatch as explained, with the treasurer's note. Throws 404 `mismatch_not_found`, 409 `already_explained`. */
export async function explainMismatch(ctx: ServiceContext, actor: Actor, stripeObjectId: string, input: ExplainInput): Promise<void> {
  await state(ctx, actor, await findExplainable(ctx, stripeObjectId), 'explained', input.note, null);
}

/**
 * Attaches a Stripe payment with no booking to a booking waiting for one (see above). Throws 404 `mismatch_not_found`,
 * 409 `attach_not_allowed` when the booking is not one it may honestly be attached to, 409 `already_explained`.
 */
export async function attachToBooking(ctx: ServiceContext, actor: Actor, stripeObjectId: string, input: AttachInput): Promise<void> {
  const mismatch = await findExplainable(ctx, stripeObjectId);
  const booking = mismatch.attachCandidates.find((b) => b.reference === input.booking);
  if (mismatch.kind !== 'payment_without_booking' || !booking) {
    throw new ConflictError('attach_not_allowed', 'This payment can be attached only to a booking confirmed as paid by card with no payment recorded, for the same amount. Mark it as explained instead.');
  }
  await state(ctx, actor, mismatch, 'attached', input.note, { id: booking.bookingId, reference: booking.reference });
}

/** Withdraws the statement in force about this object: the mismatch is open again. Audited. Throws 404 `mismatch_not_found`. */
export async function withdrawStatement(ctx: ServiceContext, actor: Actor, stripeObjectId: string): Promise<void> {
  const now = ctx.clock.now();
  await writeTransaction(ctx.db, async (trx) => {
    const statement = await findExplanationInForce(trx, stripeObjectId);
    if (!statement || !(await withdrawExplanation(trx, statement.id, actor.email, now))) throw new NotFoundError('mismatch_not_found', 'Nothing about that Stripe object is marked as explained.');
    await recordAudit(
      trx,
      actor,
      { action: 'explanation_withdrawn', targetType: 'stripe_object', targetId: stripeObjectId, details: { explanationId: statement.id, kind: statement.kind, note: statement.note, ...(statement.bookingReference ? { bookingReference: statement.bookingReference } : {}) } },
      now,
    );
  });
}
