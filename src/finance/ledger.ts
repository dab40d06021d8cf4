import type { ServiceContext } from '../context';
import { parseInput } from '../web/validate';
import { countLedger, listEventsWithPayments, listLedger, type LedgerFilter, type LedgerRow } from './ledger-queries';
import type { Period } from './period';
import { ledgerQuerySchema, type LedgerQuery } from './schemas';

export const LEDGER_PAGE_SIZE = 50;

export interface LedgerPage {
  rows: LedgerRow[];
  total: number;
  page: number;
  pages: number;
  events: Array<{ id: number; title: string }>;
}

const text = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);

export function parseLedgerQuery(query: Record<string, unknown>): LedgerQuery {
  return parseInput(ledgerQuerySchema, { event: text(query.event), method: text(query.method), hasPayout: text(query.hasPayout), q: text(query.q), page: text(query.page) });
}

export function ledgerFilter(period: Period, query: LedgerQuery): LedgerFilter {
  return { start: period.start, end: period.end, eventId: query.event, method: query.method, hasPayout: query.hasPayout, search: query.q };
}

export async function readLedger(ctx: ServiceContext, filter: LedgerFilter, page: number): Promise<LedgerPage> {
  const total = await countLedger(ctx.db, filter);
  const pages = Math.max(1, Math.ceil(total / LEDGER_PAGE_SIZE));
  const current = Math.min(page, pages);
  const rows = await listLedger(ctx.db, filter, LEDGER_PAGE_SIZE, (current - 1) * LEDGER_PAGE_SIZE);
  return { rows, total, page: current, pages, events: await listEventsWithPayments(ctx.db) };
}
