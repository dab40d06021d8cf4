const formatters = new Map<string, Intl.NumberFormat>();

/** Formats integer minor units for people: 123450 GBP -> "£1,234.50". */
export function formatMoney(amount: number, currency: string): string {
  const key = currency.toUpperCase();
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat('en-GB', { style: 'currency', currency: key });
    formatters.set(key, formatter);
  }
  return formatter.format(amount / 100);
}

/** Parses "12.50" or "12" into minor units by string, never through floats. Returns null when malformed. */
export function parseMoney(text: string): number | null {
  const match = /^\s*(\d{1,7})(?:\.(\d{1,2}))?\s*$/.exec(text.replace(/^£/, ''));
  if (!match) return null;
  const pence = (match[2] ?? '').padEnd(2, '0');
  return Number(match[1]) * 100 + Number(pence);
}
