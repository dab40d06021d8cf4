import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import { listEvents } from '../events/queries';
import type { Job } from '../jobs/runner';
import { publicHost } from '../lib/links';
import { enqueueEmail } from '../mail/outbox';
import { listAttendedSeats } from './attendance';
import { CERTIFICATE_TEMPLATE, certificateSubject } from './email';
import { claimCertificateEmail, ensureCertificate } from './queries';
import { getCertificateSettings, minOnlineMinutes } from './settings';

/** How long after an event its certificates are still looked for (a late attendance upload within this gets its emails). */
export const CERTIFICATE_WINDOW_DAYS = 90;

/**
 * Issues the certificates that are due and queues each one's email, once: for every published event that ended within
 * CERTIFICATE_WINDOW_DAYS, issues certificates and has its CPD hours set, every seat that attended and has an email
 * address, and whose personal data were not removed, gets its certificate (with a new code) and one
 * `certificate_ready` email. The claim on the certificate row (`email_queued_at`, a conditional update) and the
 * outbox's dedupe key (`certificate:<seat>`) make a second run, or a second instance, send nothing more; a seat that attends later (a late upload) is picked up by the next run.
 * Returns how many emails were queued.
 */
export async function issueDueCertificates(ctx: ServiceContext): Promise<number> {
  const now = ctx.clock.now();
  const events = await listEvents(ctx.db, { statuses: ['published'], endedBefore: new Date(now.getTime() + 1), from: new Date(now.getTime() - CERTIFICATE_WINDOW_DAYS * 86400_000), order: 'asc' });
  let queued = 0;
  for (const event of events) {
    const settings = await getCertificateSettings(ctx.db, event);
    if (!settings.issuesCertificates || settings.cpdMinutes <= 0) continue;
    // A seat whose person was erased (or whose contact details retention removed) is given nothing new: its name and
    // email are markers, and a certificate for "Removed" emailed to removed-…@removed.invalid helps no one.
    const seats = (await listAttendedSeats(ctx.db, event.id, minOnlineMinutes(settings, event) * 60)).filter((s) => s.email.trim() !== '' && !s.isRemoved);
    const waiting = new Set((await ctx.db('certificates').where({ event_id: event.id }).whereNotNull('email_queued_at').select('attendee_id')).map((r) => Number(r.attendee_id)));
    const due = seats.filter((s) => !waiting.has(s.attendeeId));
    if (due.length === 0) continue;
    queued += await writeTransaction(ctx.db, async (trx) => {
      let n = 0;
      for (const seat of due) {
        const certificate = await ensureCertificate(trx, { attendeeId: seat.attendeeId, eventId: event.id, name: seat.name }, now);
        if (!(await claimCertificateEmail(trx, certificate.id, now))) continue;
        await enqueueEmail(
          trx,
          { dedupeKey: `certificate:${seat.attendeeId}`, kind: 'certificate', eventId: event.id, bookingId: seat.bookingId, to: seat.email, toName: certificate.name, subject: certificateSubject(event.title), deferred: { template: CERTIFICATE_TEMPLATE, payload: { certificateId: certificate.id } } },
          now,
          publicHost(ctx.config),
        );
        n += 1;
      }
      return n;
    });
  }
  if (queued > 0) {
    ctx.logger.info('certificate emails queued', { job: 'certificates', queued });
    ctx.kickOutbox();
  }
  return queued;
}

/** Every 15 minutes, on every instance (the claims make a second instance's run send nothing). */
export function certificateJobs(ctx: ServiceContext): Job[] {
  return [{ name: 'certificates', intervalMs: 15 * 60_000, run: () => issueDueCertificates(ctx) }];
}
