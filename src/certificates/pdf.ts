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

/**
 * The certificate of attendance: one A4 page, tagged (headings and paragraphs in reading order), in the house font
 * with the document language set. Deterministic for the same content (its date is the issue instant).
 */
export function renderCertificatePdf(c: CertificateContent): Promise<Buffer> {
  const title = `Certificate of attendance: ${c.name}, ${c.eventTitle}`;
  return renderPdf({ title, author: c.orgName, subject: 'Certificate of attendance (continuing professional development)', lang: 'en-GB', createdAt: c.issuedAt }, (doc) => {
    const width = doc.page.width - 112;
    const centred = { width, align: 'center' as const };
    doc.moveDown(3);
    addBlock(doc, 'P', () => doc.font('bold').fontSize(14).fillColor('#0b4f6c').text(c.orgName, 56, doc.y, centred));
    doc.moveDown(1.5);
    addBlock(doc, 'H1', () => doc.font('bold').fontSize(28).fillColor('#111111').text('Certificate of attendance', 56, doc.y, centred));
    doc.moveDown(1.5);
    addBlock(doc, 'P', () => doc.font('regular').fontSize(13).text('This is to certify that', 56, doc.y, centred));
    doc.moveDown(0.6);
    addBlock(doc, 'P', () => doc.font('bold').fontSize(24).text(c.name, 56, doc.y, centred));
    doc.moveDown(0.6);
    addBlock(doc, 'P', () => doc.font('regular').fontSize(13).text('attended', 56, doc.y, centred));
    doc.moveDown(0.6);
    addBlock(doc, 'H2', () => doc.font('bold').fontSize(18).text(printableOnly(c.eventTitle), 56, doc.y, centred));
    doc.moveDown(0.6);
    addBlock(doc, 'P', () => doc.font('regular').fontSize(12).text(certificateWhen(c), 56, doc.y, centred));
    if (c.topics) {
      doc.moveDown(0.6);
      addBlock(doc, 'P', () => doc.font('regular').fontSize(12).text(printableOnly(c.topics), 56, doc.y, centred));
    }
    doc.moveDown(1.5);
    addBlock(doc, 'P', () => doc.font('bold').fontSize(15).text(`Continuing professional development: ${cpdHoursText(c.cpdMinutes)}`, 56, doc.y, centred));
    doc.moveDown(4);
    addBlock(doc, 'P', () => doc.font('regular').fontSize(11).fillColor('#333333').text(`Issued by ${c.orgName} on ${formatDate(c.issuedAt, c.timezone)}.`, 56, doc.y, centred));
    doc.moveDown(0.5);
    addBlock(doc, 'P', () => doc.font('regular').fontSize(11).text(`Verification code: ${formatCode(c.code)}`, 56, doc.y, centred));
    doc.moveDown(0.3);
    addBlock(doc, 'P', () => {
      doc.font('regular').fontSize(10).text('Anyone can check this certificate at', 56, doc.y, centred);
      doc.text(c.verifyUrl, 56, doc.y, centred);
    });
  });
}
