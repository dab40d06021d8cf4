import type { Writable } from 'node:stream';
import { renderDocumentPdf } from '../finance/documents/render';
import { formatMoney } from '../lib/money';
import type { Views } from '../web/views';
import type { PersonalData } from './collect';

/** The readable page's model: amounts formatted, nothing added that is not in the JSON. */
function pageModel(data: PersonalData) {
  const money = (amount: number, currency = 'GBP') => formatMoney(amount, currency);
  return {
    title: `Personal data held about ${data.email}`,
    data,
    bookingsMade: data.bookingsMade.map((b) => ({
      ...b,
      total: money(b.total, b.currency),
      places: b.places.map((p) => ({ ...p, price: money(p.price, b.currency) })),
      payments: b.payments.map((p) => ({ ...p, amount: money(p.amount, b.currency), refunded: money(p.refunded, b.currency) })),
      refunds: b.refunds.map((r) => ({ ...r, amount: money(r.amount, b.currency) })),
      credits: b.credits.map((c) => ({ ...c, amount: money(c.amount, b.currency) })),
      documents: b.documents.map((d) => ({ kind: d.kind, number: d.number, issueDate: d.issueDate, file: d.file, gross: money(d.gross, d.currency), vat: money(d.vat, d.currency) })),
    })),
    places: data.places.map((p) => ({ ...p, price: money(p.price) })),
  };
}

/**
 * Writes one ZIP to `out`: `personal-data.json` (the PersonalData shape) and `personal-data.html` (the same, readable in
 * any browser, standalone) and the PDF of each finance document under `documents/`. Resolves when the archive is complete; rejects on an archiver error.
 */
export async function writePersonalDataZip(data: PersonalData, views: Views, out: Writable): Promise<void> {
  // Loaded on first use, like the other file-format libraries: most servers never make a ZIP.
  const { default: archiver } = await import('archiver');
  const zip = archiver('zip', { zlib: { level: 9 } });
  const done = new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    out.on('error', reject);
    out.on('finish', resolve);
    out.on('close', resolve);
  });
  zip.pipe(out);
  zip.append(`${JSON.stringify(data, null, 2)}\n`, { name: 'personal-data.json' });
  zip.append(views.render('privacy/export', pageModel(data), null), { name: 'personal-data.html' });
  // Each finance document as a PDF, rendered from the document as listed in the JSON (another person's name left out).
  for (const doc of data.bookingsMade.flatMap((b) => b.documents)) zip.append(await renderDocumentPdf(doc.document), { name: doc.file });
  await zip.finalize();
  await done;
}
