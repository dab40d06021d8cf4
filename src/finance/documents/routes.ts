import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { GuardedRouter } from '../../admin/route-table';
import { getBookingForHolder, referenceSchema, tokenSchema } from '../../bookings';
import type { ServiceContext } from '../../context';
import { decimalAmount, toCsv } from '../../lib/csv';
import { NotFoundError } from '../../lib/errors';
import { formatMoney } from '../../lib/money';
import { limitLinks } from '../../web/rate-limit';
import { parseRequest } from '../../web/validate';
import { financialYearOf } from './numbers';
import { findDocumentByNumber, listDocumentsOfYear, listDocumentYears, type DocumentRecord } from './queries';
import { documentFileName, KIND_TITLES, renderDocumentPdf } from './render';
import { documentStatuses, type DocumentStatus } from './status';

/**
 * Where people get finance documents: the buyer from their booking's private link, the treasurer from the finance
 * pages (each booking's documents, a list per financial year with where each stands, a ZIP of a year) and the finance
 * API with a staff token. Every PDF is rendered from its snapshot as it is sent: the same document, the same bytes.
 */

const numberSchema = z.string().regex(/^HSUG(-R|-CN)?-\d{4}-\d{4,}$/);
const yearSchema = z.coerce.number({ message: 'Choose a financial year such as 2026' }).int('Choose a financial year such as 2026').min(2000, 'Choose a financial year from 2000').max(2100, 'Choose a financial year up to 2100');
const documentNotFound = () => new NotFoundError('document_not_found', 'No document with that number.');

async function sendPdf(res: Response, doc: DocumentRecord): Promise<void> {
  const pdf = await renderDocumentPdf(doc.snapshot);
  res
    .status(200)
    .set({ 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="${documentFileName(doc.snapshot)}"`, 'Cache-Control': 'no-store' })
    .send(pdf);
}

const STATE_LABELS: Record<DocumentStatus['state'], string> = {
  outstanding: 'Outstanding',
  paid: 'Paid',
  credited: 'Credited',
  overpaid: 'Overpaid',
  written_off: 'Written off',
  issued: 'Issued',
};

/** One document as the list and the API describe it (money as integer minor units in JSON, formatted on pages). */
export function documentJson(d: DocumentRecord, status: DocumentStatus) {
  const s = d.snapshot;
  return {
    number: d.number,
    kind: d.kind,
    financialYear: d.financialYear,
    issuedAt: d.issuedAt.toISOString(),
    issueDate: s.issueDate,
    dueDate: s.dueDate,
    bookingReference: s.booking.reference,
    event: s.booking.event,
    organisation: s.customer.organisation,
    buyer: s.customer.name,
    purchaseOrder: s.booking.purchaseOrder,
    currency: d.currency,
    net: s.totals.net,
    vat: s.totals.vat,
    gross: s.totals.gross,
    credits: s.credits?.number ?? null,
    status: status.state,
    credited: status.credited,
    paid: status.paid,
    outstanding: status.outstanding,
    overpaid: status.overpaid,
  };
}

async function yearDocuments(ctx: ServiceContext, year: number) {
  const docs = await listDocumentsOfYear(ctx.db, year);
  const statuses = await documentStatuses(ctx.db, docs);
  return docs.map((d) => ({ doc: d, status: statuses.get(d.id)! }));
}

function chosenYear(ctx: ServiceContext, req: Request): number {
  const { query } = parseRequest(req, { query: z.object({ year: yearSchema.optional() }) });
  return query.year ?? financialYearOf(ctx.clock.now(), ctx.config.timezone);
}

/** A year's documents as a ZIP, streamed: each PDF, and `documents.csv` listing them with where each stands. */
async function sendYearZip(ctx: ServiceContext, res: Response, year: number): Promise<void> {
  const rows = await yearDocuments(ctx, year);
  // Loaded on first use, like pdfkit: a server that never makes a ZIP does not carry it.
  const { default: archiver } = await import('archiver');
  res.status(200).set({ 'Content-Type': 'application/zip', 'Content-Disposition': `attachment; filename="hsug-documents-${year}.zip"`, 'Cache-Control': 'no-store' });
  const archive = archiver('zip', { zlib: { level: 6 } });
  const failed = new Promise<never>((_resolve, reject) => archive.on('error', reject));
  // Logged here too, so an error after the last file (no one awaiting any more) is never an unhandled rejection.
  failed.catch((error: unknown) => ctx.logger.error('document ZIP failed', { year, error: error instanceof Error ? error.message : String(error) }));
  archive.on('warning', (warning) => ctx.logger.warn('document ZIP warning', { year, error: warning.message }));
  archive.pipe(res);
  const index = toCsv(
    ['Number', 'Kind', 'Issue date', 'Due date', 'Booking reference', 'Event', 'Organisation', 'Purchase order', 'Currency', 'Net', 'VAT', 'Gross', 'Credits', 'Status', 'Outstanding', 'Overpaid'],
    rows.map(({ doc, status }) => {
      const j = documentJson(doc, status);
      return [j.number, KIND_TITLES[doc.kind], j.issueDate, j.dueDate, j.bookingReference, j.event, j.organisation, j.purchaseOrder, j.currency, decimalAmount(j.net), decimalAmount(j.vat), decimalAmount(j.gross), j.credits, STATE_LABELS[status.state], decimalAmount(j.outstanding), decimalAmount(j.overpaid)];
    }),
  );
  archive.append(index, { name: 'documents.csv', date: new Date(`${year}-04-01T00:00:00Z`) });
  for (const { doc } of rows) {
    archive.append(await renderDocumentPdf(doc.snapshot), { name: `${doc.kind.replace('_', '-')}s/${documentFileName(doc.snapshot)}`, date: doc.issuedAt });
  }
  await Promise.race([archive.finalize(), failed]);
}

async function documentOr404(ctx: ServiceContext, req: Request): Promise<DocumentRecord> {
  const { params } = parseRequest(req, { params: z.object({ number: numberSchema }), notFound: documentNotFound });
  const doc = await findDocumentByNumber(ctx.db, params.number);
  if (!doc) throw documentNotFound();
  return doc;
}

/** The treasurer's pages: /admin/finance/documents (a year's list), each PDF, and a year's ZIP. */
export function documentStaffRoutes(ctx: ServiceContext, routes: GuardedRouter, page: (res: Response, name: string, model: Record<string, unknown>, status?: number) => Promise<void>): void {
  routes.get('/finance/documents', 'finance:read', async (req, res) => {
    const year = chosenYear(ctx, req);
    const rows = await yearDocuments(ctx, year);
    const years = [...new Set([financialYearOf(ctx.clock.now(), ctx.config.timezone), ...(await listDocumentYears(ctx.db))])].sort((a, b) => b - a);
    const money = (n: number, c: string) => formatMoney(n, c);
    const totals = rows.filter((r) => r.doc.kind === 'invoice').reduce((t, r) => ({ outstanding: t.outstanding + r.status.outstanding, overpaid: t.overpaid + r.status.overpaid }), { outstanding: 0, overpaid: 0 });
    await page(res, 'documents', {
      title: `Documents, financial year ${year}–${String((year + 1) % 100).padStart(2, '0')}`,
      nav: { documents: true },
      year,
      years: years.map((y) => ({ year: y, label: `${y}–${String((y + 1) % 100).padStart(2, '0')}`, isCurrent: y === year })),
      documents: rows.map(({ doc, status }) => ({
        number: doc.number,
        kind: KIND_TITLES[doc.kind],
        issueDate: doc.snapshot.issueDate,
        dueDate: doc.snapshot.dueDate,
        reference: doc.snapshot.booking.reference,
        customer: doc.snapshot.customer.organisation ?? doc.snapshot.customer.name,
        purchaseOrder: doc.snapshot.booking.purchaseOrder,
        gross: money(doc.snapshot.totals.gross, doc.currency),
        credits: doc.snapshot.credits?.number ?? null,
        state: STATE_LABELS[status.state],
        stateClass: status.state,
        outstanding: status.outstanding ? money(status.outstanding, doc.currency) : null,
        overpaid: status.overpaid ? money(status.overpaid, doc.currency) : null,
        credited: status.credited ? money(status.credited, doc.currency) : null,
        paid: doc.kind === 'invoice' && status.paid ? money(status.paid, doc.currency) : null,
      })),
      count: rows.length,
      totalOutstanding: formatMoney(totals.outstanding, 'GBP'),
      totalOverpaid: totals.overpaid ? formatMoney(totals.overpaid, 'GBP') : null,
    });
  });

  routes.get('/finance/documents/:number.pdf', 'finance:read', async (req, res) => {
    await sendPdf(res, await documentOr404(ctx, req));
  });

  routes.get('/finance/documents/year/:year.zip', 'finance:read', async (req, res) => {
    const { params } = parseRequest(req, { params: z.object({ year: yearSchema }), notFound: documentNotFound });
    await sendYearZip(ctx, res, params.year);
  });
}

/** /api/v1/admin/finance/documents (JSON, `?year=`), each PDF, and a year's ZIP, with a staff bearer token. */
export function documentApiRoutes(ctx: ServiceContext, routes: GuardedRouter): void {
  routes.get('/finance/documents', 'finance:read', async (req, res) => {
    const year = chosenYear(ctx, req);
    const rows = await yearDocuments(ctx, year);
    res.set('Cache-Control', 'no-store').json({ financialYear: year, documents: rows.map(({ doc, status }) => ({ ...documentJson(doc, status), pdfUrl: `/api/v1/admin/finance/documents/${doc.number}.pdf` })) });
  });

  routes.get('/finance/documents/:number.pdf', 'finance:read', async (req, res) => {
    await sendPdf(res, await documentOr404(ctx, req));
  });

  routes.get('/finance/documents/year/:year.zip', 'finance:read', async (req, res) => {
    const { params } = parseRequest(req, { params: z.object({ year: yearSchema }), notFound: documentNotFound });
    await sendYearZip(ctx, res, params.year);
  });
}

/** The buyer's copy of a document of their booking, through the booking's private link (token in the query or header). */
export function documentHolderRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.get('/bookings/:reference/documents/:number.pdf', limitLinks(ctx), async (req, res) => {
    const { params } = parseRequest(req, { params: z.object({ reference: referenceSchema, number: numberSchema }), notFound: documentNotFound });
    const header = req.get('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const token = tokenSchema.safeParse(header ?? req.query.token).data;
    const view = await getBookingForHolder(ctx, params.reference, token);
    const doc = await findDocumentByNumber(ctx.db, params.number);
    // Another booking's document is as unknown as a number never issued.
    if (!doc || doc.bookingId !== view.booking.id) throw documentNotFound();
    res.set('Referrer-Policy', 'no-referrer');
    await sendPdf(res, doc);
  });
  return router;
}
