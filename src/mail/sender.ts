import type { Knex } from 'knex';
import type { Clock } from '../lib/clock';
import { claimDueEmails, markFailedAttempt, markSent, markSkipped, renewClaim, type DeferredContent, type EmailContent, type QueuedEmail, type SkippedEmail } from './outbox';
import type { Mailer } from './transport';

/** Backoff after each failed attempt; after the last, the email is marked failed for a person to look at. */
export const RETRY_DELAYS_MS = [15_000, 60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000, 3 * 60 * 60_000, 6 * 60 * 60_000, 12 * 60 * 60_000];
const LEASE_MS = 2 * 60_000;

export interface SenderDeps {
  db: Knex;
  mailer: Mailer;
  clock: Clock;
  from: string;
  /** How long a claim lasts (OUTBOX_LEASE_SECONDS); default two minutes. */
  leaseMs?: number;
  /** Renders a deferred email from its template's payload (the app's template registry, see templates.ts). */
  render?: (deferred: DeferredContent) => Promise<EmailContent | SkippedEmail>;
  /**
   * Told when the relay refuses a recipient for good (an SMTP 5xx reply, RFC 5321 §4.2.1), so the feature that queued
   * the email can record it against the address (announcements count refusals). The attempt still fails as usual.
   */
  onRefused?: (email: QueuedEmail, reason: string) => Promise<void>;
  /** Once aborted (the process is stopping), no further batch is claimed. */
  signal?: AbortSignal;
}

async function contentOf(email: QueuedEmail, deps: SenderDeps): Promise<EmailContent | SkippedEmail> {
  if (!('deferred' in email)) return email;
  if (!deps.render) throw new Error(`no renderer for ${email.deferred.template} emails`);
  return deps.render(email.deferred);
}

function toMessage(email: QueuedEmail, content: EmailContent, from: string) {
  if (content.ical && content.attachments?.length) throw new Error(`email ${email.dedupeKey} has both a calendar invitation and attachments: an invitation goes alone`);
  return {
    from,
    to: email.toName ? { name: email.toName, address: email.to } : email.to,
    subject: email.subject,
    text: content.text,
    html: content.html,
    messageId: email.messageId,
    ...(content.headers ? { headers: content.headers } : {}),
    ...(content.attachments?.length ? { attachments: content.attachments } : {}),
    ...(content.ical ? { icalEvent: { method: content.ical.method, filename: 'invite.ics', content: content.ical.content } } : {}),
  };
}

/** An SMTP reply code 5xx: the relay refuses this message or recipient for good (RFC 5321 §4.2.1). */
function isPermanentRefusal(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/** Sends every email that is due now; returns how many were sent. */
export async function sendDueEmails(deps: SenderDeps, batchSize = 20): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  const leaseMs = deps.leaseMs ?? LEASE_MS;
  while (!deps.signal?.aborted) {
    const claimedAt = deps.clock.now().getTime();
    const batch = await claimDueEmails(deps.db, new Date(claimedAt), batchSize, leaseMs);
    if (batch.length === 0) break;
    for (const email of batch) {
      // Once the claim is nearly over, another instance may take these emails: leave them to it rather than
      // risk sending one twice. They are claimed again (here or there) when the lease lapses.
      if (deps.clock.now().getTime() >= claimedAt + leaseMs * 0.75) return { sent, failed };
      try {
        const content = await contentOf(email, deps);
        if ('skip' in content) {
          await markSkipped(deps.db, email.id, content.skip, email.attempts);
          continue;
        }
        // Rendering reads the database and may be slow under load: renew the claim after it, right before sending.
        if (!(await renewClaim(deps.db, email.id, deps.clock.now(), leaseMs, email.attempts))) continue;
        await deps.mailer.send(toMessage(email, content, deps.from));
        await markSent(deps.db, email.id, deps.clock.now(), email.attempts);
        sent++;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (deps.onRefused && isPermanentRefusal(error)) await deps.onRefused(email, reason);
        const delay = RETRY_DELAYS_MS[email.attempts - 1];
        const next = delay === undefined ? null : new Date(deps.clock.now().getTime() + delay);
        await markFailedAttempt(deps.db, email.id, reason, next, email.attempts);
        failed++;
      }
    }
    if (failed > 0) break;
  }
  return { sent, failed };
}
