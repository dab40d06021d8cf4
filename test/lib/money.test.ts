import { formatMoney, parseMoney } from '../../src/lib/money';

describe('parseMoney', () => {
  it.each([
    ['12.50', 1250],
    ['12.5', 1250],
    ['12', 1200],
    ['0.10', 10],
    ['0.29', 29],
    ['1.15', 115],
    ['£95', 9500],
    [' 60.00 ', 6000],
    ['9999999.99', 999999999],
  ])('when given "%s", then %i pence, exactly', (text, pence) => {
    expect(parseMoney(text)).toBe(pence);
  });

  it.each(['', 'abc', '12.345', '-5', '1,234.50', '12.', '.5', '1e3', '10000000'])('when given "%s", then null', (text) => {
    expect(parseMoney(text)).toBeNull();
  });
});

describe('formatMoney', () => {
  it('when formatting pounds, then it uses the pound sign, thousands separators and two decimals', () => {
    expect(formatMoney(123450, 'GBP')).toBe('£1,234.50');
    expect(formatMoney(9500, 'GBP')).toBe('£95.00');
    expect(formatMoney(5, 'gbp')).toBe('£0.05');
  });

  it('when formatting euros, then it uses the euro sign', () => {
    expect(formatMoney(2000, 'EUR')).toBe('€20.00');
  });
});
