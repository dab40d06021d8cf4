import { decimalAmount, safeCell, toCsv } from '../../src/lib/csv';
import { financialYear, financialYearStarting, periodOf } from '../../src/finance/period';
import { money } from '../../src/finance/present';

describe('amounts at the edge', () => {
  it('when pence become CSV decimals, then it is done by string, exactly, sign and all', () => {
    expect(decimalAmount(123450)).toBe('1234.50');
    expect(decimalAmount(5)).toBe('0.05');
    expect(decimalAmount(-1000)).toBe('-10.00');
    expect(decimalAmount(0)).toBe('0.00');
    expect(decimalAmount(2 ** 52)).toBe('45035996273704.96');
    expect(() => decimalAmount(12.5)).toThrow('Not an amount');
  });

  it('when pence are shown to people, then they read £1,234.50', () => {
    expect(money(123450)).toBe('£1,234.50');
    expect(money(-2000)).toBe('-£20.00');
  });

  it('when a cell would run as a formula, then it is neutralised, but a negative amount stays a number', () => {
    expect(safeCell('=HYPERLINK("x")')).toBe(`'=HYPERLINK("x")`);
    expect(safeCell('+44 20')).toBe("'+44 20");
    expect(safeCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(safeCell('-12.50')).toBe('-12.50');
    expect(safeCell('-1+1')).toBe("'-1+1");
    const csv = toCsv(['Name', 'Net'], [['=cmd', '-12.50'], ['Zoë, "Ltd"\nLine', null]]);
    expect(csv.startsWith('\uFEFFName,Net\r\n')).toBe(true);
    expect(csv).toContain("'=cmd,-12.50\r\n");
    expect(csv).toContain('"Zoë, ""Ltd""\nLine",\r\n');
  });
});

describe('periods', () => {
  it('when the date is in March or April, then the financial year is the one that runs 1 April to 31 March in London', () => {
    expect(financialYearStarting(new Date('2026-03-31T22:59:59Z'), 'Europe/London')).toBe(2025);
    expect(financialYearStarting(new Date('2026-03-31T23:00:00Z'), 'Europe/London')).toBe(2026);
    const year = financialYear(2025, 'Europe/London');
    expect(year.start.toISOString()).toBe('2025-03-31T23:00:00.000Z');
    expect(year.end.toISOString()).toBe('2026-03-31T23:00:00.000Z');
    expect(periodOf('2026-03-29', '2026-03-29', 'Europe/London').end.toISOString()).toBe('2026-03-29T23:00:00.000Z');
  });
});
