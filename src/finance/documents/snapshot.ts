import { z } from 'zod';

/**
 * A finance document as issued: everything its PDF shows, fixed in the transaction that issued it and never changed
 * (a correction is a credit note). The PDF is rendered from this alone, so the same document always gives the same
 * bytes, and names and addresses stay as issued after personal data is purged from the booking (finance records are
 * kept for six years). Stored as JSON in `finance_documents.snapshot`; read back through this schema.
 */

export const DOCUMENT_KINDS = ['invoice', 'receipt', 'credit_note'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

const minor = z.number().int();

export const documentLineSchema = z.object({
  /** Who or what the line is for: the attendee's name, or "Cancellation fee kept". */
  description: z.string(),
  /** The ticket type ("Non-member"); null on a line that is not a place. */
  ticketType: z.string().nullable(),
  quantity: z.number().int(),
  /** The price before any discount code (the list price), VAT included. */
  unitPrice: minor,
  /** What a discount code took off this line (issue 18); 0 without one (and on documents issued before codes). */
  discount: minor.default(0),
  /** Line total: unit price less discount, VAT included (prices are VAT-inclusive). */
  gross: minor,
  vat: minor,
  net: minor,
});
export type DocumentLine = z.infer<typeof documentLineSchema>;

export const snapshotSchema = z.object({
  version: z.literal(1),
  kind: z.enum(DOCUMENT_KINDS),
  number: z.string(),
  /** The issue instant (ISO-8601 UTC). */
  issuedAt: z.string(),
  /** In the group's time zone, as printed: "30 November 2026". */
  issueDate: z.string(),
  /** Invoices: the issue date plus INVOICE_TERMS_DAYS. */
  dueDate: z.string().nullable(),
  termsDays: z.number().int().nullable(),
  currency: z.string().length(3),
  issuer: z.object({ name: z.string(), address: z.array(z.string()), email: z.string(), vatNumber: z.string().nullable() }),
  customer: z.object({
    organisation: z.string().nullable(),
    name: z.string(),
    email: z.string(),
    billingContact: z.string().nullable(),
    billingEmail: z.string().nullable(),
    address: z.array(z.string()),
  }),
  booking: z.object({ reference: z.string(), event: z.string(), eventDate: z.string(), purchaseOrder: z.string().nullable(), discountCode: z.string().nullable().default(null) }),
  lines: z.array(documentLineSchema),
  /** Basis points, or null when no VAT is charged (no VAT number). */
  vatRate: z.number().int().nullable(),
  totals: z.object({ net: minor, vat: minor, gross: minor }),
  priceBasis: z.string(),
  /** Invoices: where to pay, with the invoice number as the reference; null when the bank details are not configured. */
  bank: z.object({ accountName: z.string(), sortCode: z.string(), accountNumber: z.string() }).nullable(),
  /** Invoices: the "pay by card instead" page (its own pay-only token); null when card payments were not available, and on invoices issued before. */
  payByCardUrl: z.string().nullable().default(null),
  /** Receipts: what was paid, how and when. */
  payment: z.object({ method: z.enum(['card', 'bank_transfer']), paidOn: z.string(), reference: z.string().nullable(), amount: minor }).nullable(),
  /** Credit notes: the document credited. */
  credits: z.object({ kind: z.enum(DOCUMENT_KINDS), number: z.string(), issueDate: z.string() }).nullable(),
  reason: z.string().nullable(),
});
export type DocumentSnapshot = z.infer<typeof snapshotSchema>;

export function parseSnapshot(json: string): DocumentSnapshot {
  return snapshotSchema.parse(JSON.parse(json));
}
