import type { ServiceContext } from '../context';
import { ValidationError } from '../lib/errors';
import { fieldErrors, parseInput } from '../web/validate';
import { financialYear, financialYearStarting, periodOf, type Period } from './period';
import { periodQuerySchema } from './schemas';

export interface PeriodChoice {
  period: Period;
  /** What the form shows: the days chosen, or what was typed when it was wrong. */
  form: { from: string; to: string };
  errors: Record<string, string> | null;
  /** Quick links to recent financial years. */
  years: Array<{ label: string; query: string; isCurrent: boolean }>;
}

const text = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);

export function parsePeriod(ctx: ServiceContext, query: Record<string, unknown>): Period {
  const input = parseInput(periodQuerySchema, { from: text(query.from), to: text(query.to), year: text(query.year) });
  const zone = ctx.config.timezone;
  if (input.from && input.to) return periodOf(input.from, input.to, zone);
  return financialYear(input.year ?? financialYearStarting(ctx.clock.now(), zone), zone);
}

/** The period a page shows; a wrong one keeps what was typed, with errors, and shows the current year meanwhile. */
export function choosePeriod(ctx: ServiceContext, query: Record<string, unknown>): PeriodChoice {
  const zone = ctx.config.timezone;
  const thisYear = financialYearStarting(ctx.clock.now(), zone);
  let period: Period;
  let errors: Record<string, string> | null = null;
  try {
    period = parsePeriod(ctx, query);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    errors = fieldErrors(error);
    period = financialYear(thisYear, zone);
  }
  const form = errors ? { from: text(query.from) ?? '', to: text(query.to) ?? '' } : { from: period.fromDate, to: period.toDate };
  const years = [thisYear, thisYear - 1, thisYear - 2].map((y) => {
    const fy = financialYear(y, zone);
    return { label: fy.label, query: `from=${fy.fromDate}&to=${fy.toDate}`, isCurrent: fy.fromDate === period.fromDate && fy.toDate === period.toDate };
  });
  return { period, form, errors, years };
}

export function periodQueryString(period: Period): string {
  return `from=${period.fromDate}&to=${period.toDate}`;
}
