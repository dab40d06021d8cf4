import { parseSnapshot } from './snapshot';

/** What replaces a person's details in a document once the finance period is over (privacy/markers.ts, the same words). */
export interface ScrubMarkers {
  name: string;
  /** The document's own `removed-document-<id>@removed.invalid`. */
  email: string;
}

/**
 * A stored snapshot (JSON text) with the personal details replaced: the customer's name, email, organisation, billing
 * contact, billing email and postal address, and the attendee named on each place line. It edits the stored JSON in
 * place rather than re-serialising the parsed document, so everything else (number, dates, ticket types, amounts, VAT,
 * totals, purchase order, references, payment, credited document, reason) stays byte for byte as issued and the PDF
 * still renders from it. Throws when the text is not a snapshot.
 */
export function scrubSnapshotJson(json: string, markers: ScrubMarkers): string {
  parseSnapshot(json);
  const raw = JSON.parse(json) as { customer: Record<string, unknown>; lines: Array<Record<string, unknown>> };
  const c = raw.customer;
  c.name = markers.name;
  c.email = markers.email;
  if (c.organisation !== null) c.organisation = markers.name;
  if (c.billingContact !== null) c.billingContact = markers.name;
  if (c.billingEmail !== null) c.billingEmail = markers.email;
  c.address = Array.isArray(c.address) && c.address.length ? [markers.name] : [];
  // A place line's description is the attendee's name; an adjustment's (no ticket type) is ours ("Cancellation fee kept …").
  for (const line of raw.lines) if (line.ticketType !== null) line.description = markers.name;
  return JSON.stringify(raw);
}
