import { formatDate, inZone } from '../lib/time';
import { addBlock, renderPdf } from '../lib/pdf';
import { unprintableCharacters } from '../lib/pdf-glyphs';
import { formatCode } from './codes';
import { formatCpdHours } from './settings';

/** Everything a certificate says, as plain values. */
export interface CertificateContent {
  name: string;
  eventTitle: string;
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  cpdMinutes: number;
  topics: string;
  orgName: string;
  code: string;
  verifyUrl: string;
  issuedAt: Date;
}

/** "Tuesday 17 March 2026, 6:00pm to 8:00pm GMT (Europe/London)": the day(s) and times in the event's own zone. */
export function certificateWhen(c: Pick<CertificateContent, 'startsAt' | 'endsAt' | 'timezone'>): string {
  const start = inZone(c.startsAt, c.timezone);
  const end = inZone(c.endsAt, c.timezone);
  const time = (d: typeof start) => d.toFormat('h:mma').toLowerCase();
  const sameDay = start.hasSame(end, 'day');
  const days = sameDay ? formatDate(c.startsAt, c.timezone) : `${formatDate(c.startsAt, c.timezone)} to ${formatDate(c.endsAt, c.timezone)}`;
  const zone = start.offsetNameShort === end.offsetNameShort ? ` ${start.offsetNameShort}` : '';
  const times = `${time(start)}${zone ? '' : ` ${start.offsetNameShort}`} to ${time(end)}${zone ? '' : ` ${end.offsetNameShort}`}${zone}`;
  return `${days}, ${times} (${c.timezone})`;
}

/** The sentence shown beside text holding characters the certificate's fonts cannot draw (`lib/pdf-glyphs.ts`). */
export function unprintableMessage(characters: string[]): string {
  return `The certificate cannot print these characters: ${characters.join(', ')}. Write it in letters it can print (Latin, Greek or Cyrillic, with any accents)`;
}

/**
 * Text set by organisers (the event's title) without the characters the fonts cannot draw, rather than empty boxes;
 * the organisers' certificate page names what is left out. A name is never treated so: it is refused until corrected.
 */
function printableOnly(text: string): string {
  const missing = new Set(unprintableCharacters(text));
  if (missing.size === 0) return text;
  return [...text].filter((char) => !missing.has(char)).join('').replace(/\s{2,}/g, ' ').trim();
}

/** "1.5 hours", "1 hour". */
export function cpdHoursText(minutes: number): string {
  const hours = formatCpdHours(minutes);
  return `${hours} ${hours === '1' ? 'hour' : 'hours'}`;
}

/** One paragraph or heading of the certificate, or the space before it (in lines of the font in use, as pdfkit's moveDown). */
type Step =
  | { gap: number }
  | { tag: 'H1' | 'H2' | 'P'; font: 'regular' | 'bold'; size: number; color?: string; lines: string[] };

function certificateSteps(c: CertificateContent): Step[] {
  return [
    { gap: 3 },
    { tag: 'P', font: 'bold', size: 14, color: '#0b4f6c', lines: [c.orgName] },
    { gap: 1.5 },
    { tag: 'H1', font: 'bold', size: 28, color: '#111111', lines: ['Certificate of attendance'] },
    { gap: 1.5 },
    { tag: 'P', font: 'regular', size: 13, lines: ['This is to certify that'] },
    { gap: 0.6 },
    { tag: 'P', font: 'bold', size: 24, lines: [c.name] },
    { gap: 0.6 },
    { tag: 'P', font: 'regular', size: 13, lines: ['attended'] },
    { gap: 0.6 },
    { tag: 'H2', font: 'bold', size: 18, lines: [printableOnly(c.eventTitle)] },
    { gap: 0.6 },
    { tag: 'P', font: 'regular', size: 12, lines: [certificateWhen(c)] },
    ...(c.topics ? [{ gap: 0.6 }, { tag: 'P' as const, font: 'regular' as const, size: 12, lines: [printableOnly(c.topics)] }] : []),
    { gap: 1.5 },
    { tag: 'P', font: 'bold', size: 15, lines: [`Continuing professional development: ${cpdHoursText(c.cpdMinutes)}`] },
    { gap: 4 },
    { tag: 'P', font: 'regular', size: 11, color: '#333333', lines: [`Issued by ${c.orgName} on ${formatDate(c.issuedAt, c.timezone)}.`] },
    { gap: 0.5 },
    { tag: 'P', font: 'regular', size: 11, lines: [`Verification code: ${formatCode(c.code)}`] },
    { gap: 0.3 },
    { tag: 'P', font: 'regular', size: 10, lines: ['Anyone can check this certificate at', c.verifyUrl] },
  ];
}

/** Where the steps would end at this scale of every font size (and so every gap), without drawing anything. */
function endOf(doc: PDFKit.PDFDocument, steps: Step[], scale: number, width: number): number {
  let y = doc.y;
  doc.font('regular').fontSize(12 * scale);
  for (const step of steps) {
    if ('gap' in step) {
      y += doc.currentLineHeight(true) * step.gap;
      continue;
    }
    doc.font(step.font).fontSize(step.size * scale);
    for (const line of step.lines) y += doc.heightOfString(line, { width, align: 'center' });
  }
  return y;
}

/**
 * The certificate of attendance: one A4 page, tagged (headings and paragraphs in reading order), in the house font
 * with the document language set. Deterministic for the same content (its date is the issue instant).
 * Always one page: when a long name, title and topics line (up to 200, 200 and 300 characters) would push the hours
 * and the code onto a second page, every size is scaled down together until it all fits.
 */
export function renderCertificatePdf(c: CertificateContent): Promise<Buffer> {
  const title = `Certificate of attendance: ${c.name}, ${c.eventTitle}`;
  return renderPdf({ title, author: c.orgName, subject: 'Certificate of attendance (continuing professional development)', lang: 'en-GB', createdAt: c.issuedAt }, (doc) => {
    const width = doc.page.width - 112;
    const bottom = doc.page.height - doc.page.margins.bottom;
    const steps = certificateSteps(c);
    let scale = 1;
    while (scale > 0.4 && endOf(doc, steps, scale, width) > bottom) scale = Math.round((scale - 0.05) * 100) / 100;
    doc.font('regular').fontSize(12 * scale);
    for (const step of steps) {
      if ('gap' in step) {
        doc.moveDown(step.gap);
        continue;
      }
      addBlock(doc, step.tag, () => {
        doc.font(step.font).fontSize(step.size * scale);
        if (step.color) doc.fillColor(step.color);
        for (const line of step.lines) doc.text(line, 56, doc.y, { width, align: 'center' });
      });
    }
  });
}
