import type { ServiceContext } from '../context';
import type { Tx } from '../db/connect';
import { writeTransaction } from '../db/dialect';
import { normaliseEmail } from '../lib/email';
import { NotFoundError } from '../lib/errors';
import { publicHost } from '../lib/links';
import { toDbTime } from '../lib/time';
import { enqueueEmail } from '../mail/outbox';
import { choiceColumns, findSubscriberBy, insertSubscriber, updateSubscriber } from './queries';
import { CONFIRMATION_TEMPLATE } from './templates';
import { confirmToken, hashToken, newSalt, subscriberToken, suppressionHash } from './tokens';
import { CONFIRM_DAYS, type Choices, type Subscriber } from './types';

const linkInvalid = () => new NotFoundError('subscription_link_invalid', 'This link has expired, has been used already, or belongs to an address that has unsubscribed.');

/**
 * Someone asks to hear about future events (the subscribe form, or the box on a booking form). Double opt-in: a new or
 * still-unconfirmed address gets a confirmation email and nothing else until it is confirmed; an address already
 * confirmed gets an email with the link to its page (its choices change only there). The caller shows the same page
 * either way, so nobody can learn who subscribes. `source` is where consent was asked ("subscribe form", "booking
 * form"), kept with the consent record.
 */
export async function requestSubscription(ctx: ServiceContext, input: { email: string; choices: Choices; source: string }): Promise<void> {
  const now = ctx.clock.now();
  const email = normaliseEmail(input.email);
  const nonce = newSalt();
  await writeTransaction(ctx.db, async (trx) => {
    let subscriber = await findSubscriberBy(trx, { email });
    if (!subscriber) {
      const salt = newSalt();
      await insertSubscriber(trx, { email, status: 'pending', ...choiceColumns(input.choices), token_salt: salt, token_hash: hashToken(subscriberToken(ctx.config, salt)), consent_source: input.source.slice(0, 200) }, now);
      subscriber = await findSubscriberBy(trx, { email });
    } else if (subscriber.status === 'pending') {
      await updateSubscriber(trx, subscriber.id, { ...choiceColumns(input.choices), consent_source: input.source.slice(0, 200) }, now);
    }
    if (!subscriber) throw new Error(`subscriber ${email} was not stored`);
    if (subscriber.status === 'pending') {
      await updateSubscriber(trx, subscriber.id, { confirm_token_hash: hashToken(confirmToken(ctx.config, nonce)), confirm_sent_at: toDbTime(now) }, now);
    }
    await enqueueEmail(
      trx,
      {
        dedupeKey: `subscription:${subscriber.id}:confirm:${nonce}`,
        kind: 'subscription_confirm',
        to: email,
        subject: subscriber.status === 'confirmed' ? 'You already get our event announcements' : 'Confirm: hear about future HSUG events',
        deferred: { template: CONFIRMATION_TEMPLATE, payload: { subscriberId: subscriber.id, nonce: subscriber.status === 'pending' ? nonce : null } },
      },
      now,
      publicHost(ctx.config),
    );
  });
  ctx.kickOutbox();
}

/** The pending subscription a confirmation link names, if the link is the latest one sent and under CONFIRM_DAYS old. */
async function confirmable(db: Tx, token: string, now: Date): Promise<Subscriber> {
  const subscriber = await findSubscriberBy(db, { confirm_token_hash: hashToken(token) });
  const oldest = now.getTime() - CONFIRM_DAYS * 86400_000;
  if (!subscriber || subscriber.status !== 'pending' || !subscriber.confirmSentAt || subscriber.confirmSentAt.getTime() < oldest) throw linkInvalid();
  return subscriber;
}

/** The confirmation page's check (it changes nothing). Throws 404 `subscription_link_invalid`. */
export async function findByConfirmToken(ctx: ServiceContext, token: string): Promise<Subscriber> {
  return confirmable(ctx.db, token, ctx.clock.now());
}

/**
 * The person presses "Confirm" on the page their confirmation link opened (a POST: a mail scanner's GET changes
 * nothing). Records consent (now, and where it was asked) and lifts an earlier unsubscription's suppression: this is a
 * new, confirmed request. Returns the subscriber's private page token. Throws 404 `subscription_link_invalid`.
 */
export async function confirmSubscription(ctx: ServiceContext, token: string): Promise<string> {
  const now = ctx.clock.now();
  return writeTransaction(ctx.db, async (trx) => {
    const subscriber = await confirmable(trx, token, now);
    await updateSubscriber(trx, subscriber.id, { status: 'confirmed', confirmed_at: toDbTime(now), consent_at: toDbTime(now), confirm_token_hash: null }, now);
    await trx('subscriber_suppressions').where({ email_hash: suppressionHash(subscriber.email) }).delete();
    return subscriberToken(ctx.config, subscriber.tokenSalt);
  });
}

/** The confirmed subscriber a private page token names. Throws 404 `subscription_link_invalid`. */
export async function findByToken(ctx: ServiceContext, token: string): Promise<Subscriber> {
  const subscriber = await findSubscriberBy(ctx.db, { token_hash: hashToken(token) });
  if (!subscriber || subscriber.status !== 'confirmed') throw linkInvalid();
  return subscriber;
}

/** The subscriber changes what they hear about on their page. Throws 404 `subscription_link_invalid`. */
export async function changeChoices(ctx: ServiceContext, token: string, choices: Choices): Promise<void> {
  const subscriber = await findByToken(ctx, token);
  await updateSubscriber(ctx.db, subscriber.id, choiceColumns(choices), ctx.clock.now());
}

/**
 * Unsubscribes (the page's button, or a mail program's RFC 8058 one-click POST): the row and its choices go; only a
 * suppression record stays (the address's SHA-256 and the date), so an import cannot add it again. Emails still queued
 * for it are not sent (their renderer finds no subscriber). A link that names nobody (already unsubscribed) does
 * nothing and says so: returns false.
 */
export async function unsubscribe(ctx: ServiceContext, token: string): Promise<boolean> {
  const now = ctx.clock.now();
  return writeTransaction(ctx.db, async (trx) => {
    const subscriber = await findSubscriberBy(trx, { token_hash: hashToken(token) });
    if (!subscriber) return false;
    await trx('subscriber_suppressions').insert({ email_hash: suppressionHash(subscriber.email), suppressed_at: toDbTime(now) }).onConflict('email_hash').merge();
    await trx('subscribers').where({ id: subscriber.id }).delete();
    return true;
  });
}
