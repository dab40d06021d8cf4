import { bucketOf } from './categories';

/**
 * The treasurer's columns, the same on every page, export and API answer:
 *
 *   net = gross − refunds − disputes + other − fees
 *
 * Gross is always before refunds (what buyers paid); refunds and disputes are positive amounts taken back out. For
 * card money, net is exactly the sum of Stripe's own `net`, which is what reaches the bank.
 */
export interface Figures {
  gross: number;
  refunds: number;
  disputes: number;
  other: number;
  fees: number;
  net: number;
}

export const FIGURE_KEYS: Array<keyof Figures> = ['gross', 'refunds', 'disputes', 'other', 'fees', 'net'];

export const zeroFigures = (): Figures => ({ gross: 0, refunds: 0, disputes: 0, other: 0, fees: 0, net: 0 });

export function addFigures(into: Figures, from: Figures): void {
  for (const key of FIGURE_KEYS) into[key] += from[key];
}

/** One balance transaction in the treasurer's columns. */
export function figuresOf(line: { reportingCategory: string; amount: number; fee: number; net: number }): Figures {
  const f = zeroFigures();
  const bucket = bucketOf(line.reportingCategory);
  if (bucket === 'gross') f.gross = line.amount;
  else if (bucket === 'refunds') f.refunds = -line.amount;
  else if (bucket === 'disputes') f.disputes = -line.amount;
  else f.other = line.amount;
  f.fees = line.fee;
  f.net = line.net;
  return f;
}
