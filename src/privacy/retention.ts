import { DateTime } from 'luxon';
import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Tx } from '../db/connect';
import { toDbTime } from '../lib/time';
import { scrubSnapshotJson } from '../finance/documents/scrub';
import { REMOVED_NAME, removedAnswer, removedDocumentAddress, removedAttendee, removedBuyer, removedEmail } from './markers';

/** What one run removed, by class of data; each figure counts rows changed. */
export interface RetentionReport {
  /** Attendees whose dietary and accessibility answers were removed. */
  needs: number;
  /** Answers to sensitive registration questions removed (the needs class: `RETENTION_NEEDS_MONTHS`). */
  sensitiveAnswers: number;
  /** Answers to other registration questions removed (the contacts class: `RETENTION_CONTACTS_MONTHS`). */
  answers: number;
  /** Attendees whose name, email and organisation were replaced by a marker. */
  attendees: number;
  /** Bookings whose buyer's email (and, for bookings with no invoice, name and organisation) were replaced. */
  buyers: number;
  /** Sent emails whose recipient was replaced (their bodies went after MAIL_BODY_RETENTION_DAYS already). */
  emails: number;
  /** Invoice bookings whose buyer's name, organisation and billing contact were removed after the finance period. */
  financeRecords: number;
  /** Notes and reasons typed on payments, refunds and credits after the finance period (amounts stay). */
  financeNotes: number;
  /** Finance documents whose snapshot's names, emails and addresses were replaced (numbers and amounts stay). */
  financeDocuments: number;
}

/** The instants before which an event's end puts its data in each class, from `now` and the configured periods. */
export function retentionCutoffs(now: Date, retention: Config['retention']): { needs: Date; contacts: Date; finance: Date } {
  const at = DateTime.fromJSDate(now, { zone: 'Europe/London' });
  const limit = at.minus({ years: retention.financeYears });
  // The financial year runs 1 April to 31 March (UK tax year for HSUG's accounts): records of a year are kept
  // `financeYears` after it ends, so an event qualifies when its year ended on or before `limit`.
  const aprilFirst = DateTime.fromObject({ year: limit.month >= 4 ? limit.year : limit.year - 1, month: 4, day: 1 }, { zone: 'Europe/London' });
  return {
    needs: at.minus({ months: retention.needsMonths }).toJSDate(),
    contacts: at.minus({ months: retention.contactsMonths }).toJSDate(),
    finance: aprilFirst.toJSDate(),
  };
}

/**
 * When an event's personal data goes (the nightly run after these instants): its needs answers, and its attendees'
 * contact details. For the organisers' event page, which says so while there is still time to download the list.
 */
export function removalDates(endsAt: Date, retention: Config['retention']): { needs: Date; contacts: Date } {
  const end = DateTime.fromJSDate(endsAt, { zone: 'Europe/London' });
  return { needs: end.plus({ months: retention.needsMonths }).toJSDate(), contacts: end.plus({ months: retention.contactsMonths }).toJSDate() };
}

const endedBefore = (db: Tx, cutoff: Date) => db('events').select('id').where('ends_at', '<', toDbTime(cutoff));

/** The financial year (its starting calendar year) that begins at the finance cut-off, 1 April in London. */
function financialYearStartingAt(aprilFirst: Date): number {
  return DateTime.fromJSDate(aprilFirst, { zone: 'Europe/London' }).year;
}

/** The earliest financial year whose documents are still kept as issued at `now`. */
export function firstKeptFinancialYear(now: Date, retention: Config['retention']): number {
  return financialYearStartingAt(retentionCutoffs(now, retention).finance);
}

/** The day the documents of a financial year lose their personal details: 1 April, `financeYears` after the year ends. */
export function documentsScrubbedOn(financialYear: number, retention: Config['retention']): Date {
  return DateTime.fromObject({ year: financialYear + 1 + retention.financeYears, month: 4, day: 1 }, { zone: 'Europe/London' }).toJSDate();
}

/**
 * Finance documents are tax records: each stays exactly as issued until `financeYears` have passed after the end of
 * the financial year it was issued in (its `financial_year`, the same April-to-March year as its number), then the
 * personal details inside its snapshot are replaced by the markers. Documents of years before `firstKeptYear` qualify.
 */
export async function scrubFinanceDocuments(trx: Knex.Transaction, firstKeptYear: number, stamp: string, onlyIds?: number[]): Promise<number> {
  const query = trx('finance_documents');
  if (onlyIds) query.whereIn('id', onlyIds.length ? onlyIds : [-1]);
  const due: Array<{ id: number | string; snapshot: string }> = await query
    .where('financial_year', '<', firstKeptYear)
    .whereNull('personal_data_removed_at')
    .orderBy('id')
    .select('id', 'snapshot');
  for (const doc of due) {
    const id = Number(doc.id);
    const snapshot = scrubSnapshotJson(String(doc.snapshot), { name: REMOVED_NAME, email: removedDocumentAddress(id) });
    await trx('finance_documents').where({ id }).whereNull('personal_data_removed_at').update({ snapshot, personal_data_removed_at: stamp });
  }
  return due.length;
}

/**
 * Applies the retention periods once (idempotent: rows already done are left alone). Never touches an amount, a
 * status or a reference, so the ledger and every figure are the same after it. Runs in one transaction.
 */
export async function applyRetention(db: Knex, now: Date, retention: Config['retention']): Promise<RetentionReport> {
  const cut = retentionCutoffs(now, retention);
  const stamp = toDbTime(now);
  return db.transaction(async (trx) => {
    const needs = await trx('attendees')
      .whereIn('event_id', endedBefore(trx, cut.needs))
      .where((q) => q.whereNotNull('dietary').orWhereNotNull('accessibility'))
      .update({ dietary: null, accessibility: null });

    // Registration answers: a sensitive question's (health and the like) go with the needs, the shortest class; the
    // others with the contact details, since an answer can say who someone is.
    const answersOf = (cutoff: Date) => trx('booking_answers').whereIn('booking_id', trx('bookings').select('id').whereIn('event_id', endedBefore(trx, cutoff))).whereNull('removed_at');
    const sensitiveAnswers = await answersOf(cut.needs).where('is_sensitive', true).update(removedAnswer(stamp));
    const answers = await answersOf(cut.contacts).update(removedAnswer(stamp));

    const attendees = await trx('attendees')
      .whereIn('event_id', endedBefore(trx, cut.contacts))
      .whereNull('personal_data_removed_at')
      .update(removedAttendee(trx, stamp));

    const bookings = () => trx('bookings').whereIn('event_id', endedBefore(trx, cut.contacts)).whereNull('personal_data_removed_at');
    // An invoice booking's buyer, organisation and billing contact are what its invoice is addressed to: finance records
    // keep them until the finance period ends. Everything else about the buyer goes now.
    const invoiced = await bookings().where('payment_method', 'invoice').update(removedBuyer(trx, stamp, true));
    const others = await bookings().update(removedBuyer(trx, stamp, false));

    const emails = await trx('outbox_emails')
      .whereIn('status', ['sent', 'failed', 'skipped'])
      .where((q) =>
        q
          .whereIn('event_id', endedBefore(trx, cut.contacts))
          .orWhere('erase_address', true),
      )
      .whereNot('to_address', 'like', 'removed-%@removed.invalid')
      .update({ ...removedEmail(trx), erase_address: false });

    const financeRecords = await trx('bookings')
      .whereIn('event_id', endedBefore(trx, cut.finance))
      .where('payment_method', 'invoice')
      .whereNot('buyer_name', REMOVED_NAME)
      .update({ buyer_name: REMOVED_NAME, buyer_organisation: null, billing_contact: null, billing_email: null, billing_address: null });
    const financeBookings = trx('bookings').select('id').whereIn('event_id', endedBefore(trx, cut.finance));
    const financeNotes =
      (await trx('payments').whereIn('booking_id', financeBookings).whereNotNull('note').update({ note: null })) +
      (await trx('refunds').whereIn('booking_id', financeBookings).whereNotNull('reason').update({ reason: null })) +
      (await trx('credits').whereIn('booking_id', financeBookings).whereNot('reason', REMOVED_NAME).update({ reason: REMOVED_NAME }));

    const financeDocuments = await scrubFinanceDocuments(trx, financialYearStartingAt(cut.finance), stamp);

    return { needs, sensitiveAnswers, answers, attendees, buyers: invoiced + others, emails, financeRecords, financeNotes, financeDocuments };
  });
}
