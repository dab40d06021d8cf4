import type { Knex } from 'knex';

/**
 * What replaces a person's details once they are removed (by retention or an erasure): a neutral marker that says so,
 * and an address in the reserved `.invalid` domain (RFC 2606 §2), unique per row so unique indexes still hold and no
 * mail can ever reach it.
 */
export const REMOVED_NAME = 'Removed';


/** A `removed-<kind>-<row id>@removed.invalid` address computed by the database for each row updated (SQLite and PostgreSQL). */
const removedColumn = (db: Knex, kind: 'attendee' | 'buyer' | 'email') => db.raw(`'removed-${kind}-' || id || '@removed.invalid'`);

/** The update that removes an attendee's details: name, address, organisation and needs, and when. */
export function removedAttendee(db: Knex, stamp: string) {
  const address = removedColumn(db, 'attendee');
  return { name: REMOVED_NAME, email: address, email_normalised: address, organisation: null, dietary: null, accessibility: null, personal_data_removed_at: stamp };
}

/**
 * The update that removes a buyer's details. An invoice booking keeps the name, organisation and billing contact its
 * invoice is addressed to (`keepAddressee`): finance records keep what their documents carry.
 */
export function removedBuyer(db: Knex, stamp: string, keepAddressee: boolean) {
  const address = removedColumn(db, 'buyer');
  const contact = { buyer_email: address, buyer_email_normalised: address, cancel_reason: null, personal_data_removed_at: stamp };
  return keepAddressee ? contact : { ...contact, buyer_name: REMOVED_NAME, buyer_organisation: null, billing_contact: null, billing_email: null, billing_address: null };
}

/** The update that removes registration answers: the answer goes, its question's wording and when it was removed stay. */
export function removedAnswer(stamp: string) {
  return { value: null, removed_at: stamp };
}

/** The update that removes a sent email's recipient and whatever of its body is left. */
export function removedEmail(db: Knex) {
  return { to_address: removedColumn(db, 'email'), to_name: null, text_body: '', html_body: '', ical_content: null, template_payload: null };
}

/** The marker address of one finance document's snapshot, computed in code (the snapshot is JSON text). */
export function removedDocumentAddress(documentId: number): string {
  return `removed-document-${documentId}@removed.invalid`;
}
