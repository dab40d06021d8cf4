/** Stripe's processing fee on a charge: percentage (rounded to the minor unit) plus a fixed part. */
export function computeFee(amount: number, percentBps: number, fixed: number): number {
  return Math.round((amount * percentBps) / 10_000) + fixed;
}

/** `1250, 'gbp'` → `£12.50`. Amounts are integer minor units. */
export function formatMoney(amount: number, currency: string): string {
  const format = new Intl.NumberFormat('en-GB', { style: 'currency', currency: currency.toUpperCase() });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}
