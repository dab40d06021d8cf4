import { DateTime } from 'luxon';

/** HSUG's financial year runs from 1 April to 31 March, as UK charities' usually do. */
export const FINANCIAL_YEAR_START_MONTH = 4;

export interface Period {
  /** First day, inclusive, as YYYY-MM-DD in the group's time zone. */
  fromDate: string;
  /** Last day, inclusive. */
  toDate: string;
  /** The instants that bound it: [start, end). */
  start: Date;
  end: Date;
  label: string;
}

const day = (text: string, zone: string) => DateTime.fromISO(text, { zone }).startOf('day');

export function periodOf(fromDate: string, toDate: string, zone: string): Period {
  const from = day(fromDate, zone);
  const to = day(toDate, zone);
  return {
    fromDate,
    toDate,
    start: from.toJSDate(),
    end: to.plus({ days: 1 }).toJSDate(),
    label: `${from.setLocale('en-GB').toFormat('d LLLL yyyy')} to ${to.setLocale('en-GB').toFormat('d LLLL yyyy')}`,
  };
}

/** The financial year that contains this instant: "2025" is 1 April 2025 to 31 March 2026. */
export function financialYearStarting(now: Date, zone: string): number {
  const local = DateTime.fromJSDate(now, { zone });
  return local.month >= FINANCIAL_YEAR_START_MONTH ? local.year : local.year - 1;
}

export function financialYear(startYear: number, zone: string): Period {
  const from = DateTime.fromObject({ year: startYear, month: FINANCIAL_YEAR_START_MONTH, day: 1 }, { zone });
  const to = from.plus({ years: 1 }).minus({ days: 1 });
  return { ...periodOf(from.toISODate()!, to.toISODate()!, zone), label: `Financial year ${startYear}–${String((startYear + 1) % 100).padStart(2, '0')}` };
}

/** The months a period touches, for the chart: { key: "2025-04", label: "Apr 2025" }. */
export function monthsOf(period: Period, zone: string, max = 36): Array<{ key: string; label: string }> {
  const months: Array<{ key: string; label: string }> = [];
  let cursor = DateTime.fromJSDate(period.start, { zone }).startOf('month');
  const end = DateTime.fromJSDate(period.end, { zone });
  while (cursor < end && months.length < max) {
    months.push({ key: cursor.toFormat('yyyy-LL'), label: cursor.setLocale('en-GB').toFormat('LLL yyyy') });
    cursor = cursor.plus({ months: 1 });
  }
  return months;
}

export function monthKeyOf(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat('yyyy-LL');
}

/** Whole days from an instant to now, for the age of an unpaid invoice. */
export function daysSince(then: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - then.getTime()) / 86_400_000));
}

/** Today's date in the zone, YYYY-MM-DD, for a date field's default. */
export function todayIn(now: Date, zone: string): string {
  return DateTime.fromJSDate(now, { zone }).toISODate()!;
}
