import { readFileSync } from 'node:fs';
import { PDF_FONTS } from './pdf';

/**
 * Which characters the house fonts can draw. A character a font has no glyph for is drawn as an empty box (.notdef),
 * or as nothing, with no error: a certificate for 王小明 in DejaVu Sans prints three boxes. Callers check text with
 * `unprintableCharacters` first and tell the person who can change it.
 *
 * Read from the fonts' own `cmap` tables (OpenType spec, "cmap — Character to Glyph Index Mapping Table": format 4
 * for the Basic Multilingual Plane, format 12 for the rest), so it stays true if the font files change, and needs
 * neither pdfkit (40 MB) nor its font engine loaded.
 */
type Coverage = (codePoint: number) => boolean;

function readCoverage(file: string): Coverage {
  const data = readFileSync(file);
  const tables = data.readUInt16BE(4);
  let cmap = -1;
  for (let i = 0; i < tables; i++) {
    const record = 12 + i * 16;
    if (data.toString('latin1', record, record + 4) === 'cmap') cmap = data.readUInt32BE(record + 8);
  }
  if (cmap < 0) throw new Error(`font ${file} has no cmap table`);
  const subtables = new Map<string, number>();
  for (let i = 0; i < data.readUInt16BE(cmap + 2); i++) {
    const record = cmap + 4 + i * 8;
    subtables.set(`${data.readUInt16BE(record)}/${data.readUInt16BE(record + 2)}`, cmap + data.readUInt32BE(record + 4));
  }
  const full = subtables.get('3/10') ?? subtables.get('0/4') ?? subtables.get('0/6');
  if (full !== undefined && data.readUInt16BE(full) === 12) {
    const groups: Array<[number, number, number]> = [];
    for (let i = 0; i < data.readUInt32BE(full + 12); i++) {
      const group = full + 16 + i * 12;
      groups.push([data.readUInt32BE(group), data.readUInt32BE(group + 4), data.readUInt32BE(group + 8)]);
    }
    return (cp) => groups.some(([start, end, glyph]) => cp >= start && cp <= end && glyph + (cp - start) !== 0);
  }
  const bmp = subtables.get('3/1') ?? subtables.get('0/3');
  if (bmp === undefined || data.readUInt16BE(bmp) !== 4) throw new Error(`font ${file} has no Unicode cmap of format 4 or 12`);
  const segments = data.readUInt16BE(bmp + 6) / 2;
  const ends = bmp + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  return (cp) => {
    if (cp > 0xffff) return false;
    for (let i = 0; i < segments; i++) {
      if (cp > data.readUInt16BE(ends + i * 2)) continue;
      const start = data.readUInt16BE(starts + i * 2);
      if (cp < start) return false;
      const delta = data.readInt16BE(deltas + i * 2);
      const offset = data.readUInt16BE(rangeOffsets + i * 2);
      if (offset === 0) return ((cp + delta) & 0xffff) !== 0;
      const glyph = data.readUInt16BE(rangeOffsets + i * 2 + offset + (cp - start) * 2);
      return glyph !== 0 && ((glyph + delta) & 0xffff) !== 0;
    }
    return false;
  };
}

let coverages: Coverage[] | null = null;

/** True when every house font (regular and bold) has a glyph for the code point. */
function printable(codePoint: number): boolean {
  coverages ??= Object.values(PDF_FONTS).map(readCoverage);
  return coverages.every((has) => has(codePoint));
}

/**
 * Right-to-left scripts the fonts have glyphs for but pdfkit cannot lay out: it has no bidirectional algorithm
 * (UAX #9), so "כהן דוד" came out as its words' letters in the wrong order with the space lost, and a name mixing
 * scripts in the wrong word order. Printed wrongly is worse than asked for in letters that print.
 */
const RIGHT_TO_LEFT = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}]/u;

/** At most this many characters are named; a whole name in another script would otherwise be listed letter by letter. */
const MAX_NAMED = 12;

/**
 * The characters of `text` that the house PDFs cannot print as written, each once, in order (at most 12, then "…"):
 * those the fonts have no glyph for, and letters of right-to-left scripts. Shown as themselves, or as `U+FE0F` when
 * they are invisible (a variation selector, a joiner). Line breaks and tabs are not counted. Empty when all print.
 */
export function unprintableCharacters(text: string): string[] {
  const found = new Set<string>();
  for (const char of text) {
    const cp = char.codePointAt(0) as number;
    if (cp === 0x0a || cp === 0x09 || (printable(cp) && !RIGHT_TO_LEFT.test(char))) continue;
    if (found.size === MAX_NAMED) return [...found, '…'];
    found.add(/[\p{L}\p{N}\p{P}\p{S}]/u.test(char) ? char : `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`);
  }
  return [...found];
}
