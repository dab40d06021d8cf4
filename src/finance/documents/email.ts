import { z } from 'zod';
import type { BookingRecord } from '../../bookings';
import type { ServiceContext } from '../../context';
import { formatMoney } from '../../lib/money';
import { manageUrl } from '../../lib/links';
import type { EmailContent, OutgoingEmail } from '../../mail/outbox';
import { defineTemplate } from '../../mail/templates';
import { findDocument, type DocumentRecord } from './queries';
import { documentFileName, KIND_TITLES, renderDocumentPdf } from './render';

/**
 * The email that carries one finance document as a PDF attachment, on its own: never with a calendar invitation (some
 * mail clients stop showing an invitation, or show a blank body, when the message carries another attachment). Queued
 * in the transaction that issued the document; the PDF is rendered from the stored snapshot when the email is sent.
 */

export const FINANCE_DOCUMENT_TEMPLATE = 'finance_document';

const payloadSchema = z.object({ documentId: z.number().int(), recipient: z.enum(['buyer', 'billing']) });
type Payload = z.infer<typeof payloadSchema>;

export function documentEmail(doc: DocumentRecord, booking: BookingRecord, recipient: Payload['recipient']): OutgoingEmail {
  const s = doc.snapshot;
  const toBilling = recipient === 'billing';
  return {
    dedupeKey: `document:${doc.id}:${recipient}`,
    kind: `document_${doc.kind}`,
    eventId: booking.eventId,
    bookingId: booking.id,
    to: toBilling ? booking.billingEmail! : booking.buyerEmail,
    toName: toBilling ? (booking.billingContact ?? undefined) : booking.buyerName,
    subject: `${KIND_TITLES[doc.kind]} ${doc.number}${s.booking.purchaseOrder ? ` (PO ${s.booking.purchaseOrder})` : ''}: ${s.booking.event}`,
    deferred: { template: FINANCE_DOCUMENT_TEMPLATE, payload: { documentId: doc.id, recipient } },
  };
}

async function render(ctx: ServiceContext, payload: Payload): Promise<EmailContent> {
  const doc = await findDocument(ctx.db, payload.documentId);
  if (!doc) throw new Error(`finance document ${payload.documentId} is gone: its email cannot be rendered`);
  const s = doc.snapshot;
  const pdf = await renderDocumentPdf(s);
  const isBuyer = payload.recipient === 'buyer';
  const content = ctx.emails.render('finance-document', {
    name: isBuyer ? s.customer.name : (s.customer.billingContact ?? s.customer.organisation ?? 'accounts team'),
    isBuyer,
    buyerName: s.customer.name,
    title: `${KIND_TITLES[doc.kind]} ${doc.number}`,
    kindLabel: KIND_TITLES[doc.kind].toLowerCase(),
    isInvoice: doc.kind === 'invoice',
    isReceipt: doc.kind === 'receipt',
    isCreditNote: doc.kind === 'credit_note',
    amount: formatMoney(s.totals.gross, s.currency),
    dueDate: s.dueDate,
    number: doc.number,
    purchaseOrder: s.booking.purchaseOrder,
    reference: s.booking.reference,
    event: s.booking.event,
    eventDate: s.booking.eventDate,
    credits: s.credits,
    fileName: documentFileName(s),
    contactEmail: s.issuer.email,
    // The booking's private link only for the buyer: the accounts contact gets the document, not the booking.
    manageUrl: isBuyer ? manageUrl(ctx.config, s.booking.reference) : null,
    // Pay-only: the billing contact may pay the invoice by card without being able to manage the booking.
    payByCardUrl: doc.kind === 'invoice' ? s.payByCardUrl : null,
  });
  return { ...content, attachments: [{ filename: documentFileName(s), content: pdf, contentType: 'application/pdf' }] };
}

export const financeDocumentTemplate = defineTemplate<ServiceContext, Payload>({ name: FINANCE_DOCUMENT_TEMPLATE, schema: payloadSchema, render });
