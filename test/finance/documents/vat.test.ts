import { documentLines, documentTotals } from '../../../src/finance/documents/lines';
import { formatDocumentNumber, financialYearOf } from '../../../src/finance/documents/numbers';
import { splitVat } from '../../../src/finance/documents/vat';

describe('VAT on VAT-inclusive prices, one rounding per line (HMRC VAT Notice 700 §17.5)', () => {
  it('when a £95.00 line is at 20%, then the VAT is £15.83 (1583.33p rounds down) and net + VAT = gross', () => {
    expect(splitVat(9500, 2000)).toEqual({ gross: 9500, vat: 1583, net: 7917 });
  });

  it('when the VAT is exactly half a penny, then it rounds up', () => {
    // 3p at 20%: 3 × 2000 / 12000 = 0.5p → 1p.
    expect(splitVat(3, 2000)).toEqual({ gross: 3, vat: 1, net: 2 });
    // 1p at 20%: 0.1666p → 0p.
    expect(splitVat(1, 2000)).toEqual({ gross: 1, vat: 0, net: 1 });
  });

  it('when a line is negative (a fee kept on a credit note), then its VAT is the opposite of the positive line', () => {
    expect(splitVat(-1000, 2000)).toEqual({ gross: -1000, vat: -167, net: -833 });
    expect(splitVat(-3, 2000).vat).toBe(-1);
  });

  it('when there is no VAT rate, then VAT is 0 and net is gross', () => {
    expect(splitVat(13500, null)).toEqual({ gross: 13500, vat: 0, net: 13500 });
  });

  it('when any whole amount from 0 to 20000p is split at 5%, 17.5% and 20%, then net + VAT = gross every time', () => {
    for (const rate of [500, 1750, 2000]) {
      for (let gross = -20000; gross <= 20000; gross += 7) {
        const s = splitVat(gross, rate);
        expect(s.net + s.vat).toBe(gross);
        // Never more than half a penny from the exact figure.
        expect(Math.abs(s.vat - (gross * rate) / (10000 + rate))).toBeLessThanOrEqual(0.5);
      }
    }
  });

  it('when a document has three places and a fee kept, then its totals are the sums of its lines', () => {
    const lines = documentLines(
      [
        { attendeeName: 'Ada', ticketType: 'Member', unitPrice: 4500, discount: 0 },
        { attendeeName: 'Flo', ticketType: 'Non-member', unitPrice: 13500, discount: 0 },
        { attendeeName: 'Mary', ticketType: 'Non-member', unitPrice: 13500, discount: 0 },
      ],
      [{ description: 'Cancellation fee kept', amount: -1000 }],
      2000,
    );
    const totals = documentTotals(lines);
    expect(totals).toEqual({ gross: 30500, vat: 750 + 2250 + 2250 - 167, net: 30500 - (750 + 2250 + 2250 - 167) });
    expect(lines.map((l) => l.vat)).toEqual([750, 2250, 2250, -167]);
  });

  it('when a place had a discount code, then its line shows the list price and the discount, and VAT is on what it cost', () => {
    const [line] = documentLines([{ attendeeName: 'Ada', ticketType: 'Non-member', unitPrice: 13500, discount: 2700 }], [], 2000);
    expect(line).toMatchObject({ unitPrice: 13500, discount: 2700, gross: 10800, vat: 1800, net: 9000 });
  });
});

describe('document numbers', () => {
  it('when an instant is on 31 March or 1 April in London, then it falls in the financial year that starts that April', () => {
    expect(financialYearOf(new Date('2027-03-31T22:59:59Z'), 'Europe/London')).toBe(2026);
    // 1 April 2027 00:00 BST is 31 March 23:00 UTC.
    expect(financialYearOf(new Date('2027-03-31T23:00:00Z'), 'Europe/London')).toBe(2027);
    expect(formatDocumentNumber('HSUG', 2026, 1)).toBe('HSUG-2026-0001');
    expect(formatDocumentNumber('HSUG-CN', 2026, 12345)).toBe('HSUG-CN-2026-12345');
  });
});
