import type { ServiceContext } from '../context';
import { ValidationError } from '../lib/errors';
import { fieldErrors } from '../web/validate';
import { ledgerFilter, parseLedgerQuery, readLedger } from './ledger';
import { choosePeriod } from './period-input';
import { listPayoutsByIds } from './balance-queries';
import { payoutTitle } from './payout-title';
import { ledgerRowView } from './present';

/** The ledger page's model: a wrong filter keeps what was typed, with its errors, and shows everything meanwhile. */
export async function ledgerPageModel(ctx: ServiceContext, raw: Record<string, unknown>) {
  const choice = choosePeriod(ctx, raw);
  let errors = choice.errors;
  let query;
  try {
    query = parseLedgerQuery(raw);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    errors = { ...errors, ...fieldErrors(error) };
    query = parseLedgerQuery({});
  }
  const ledger = await readLedger(ctx, ledgerFilter(choice.period, query), query.page);
  const payouts = await listPayoutsByIds(ctx.db, ledger.rows.flatMap((r) => (r.payoutId ? [r.payoutId] : [])));
  const payoutTitles = new Map(payouts.map((p) => [p.id, payoutTitle(p, ctx.config.timezone)]));
  const base = new URLSearchParams({ from: choice.form.from, to: choice.form.to, event: query.event ? String(query.event) : '', method: query.method ?? '', hasPayout: query.hasPayout ?? '', q: query.q ?? '' });
  const pageLink = (n: number) => `/admin/finance/payments?${new URLSearchParams([...base, ['page', String(n)]]).toString()}`;
  return {
    title: 'Payments ledger',
    nav: { payments: true },
    choice,
    errors: errors ?? {},
    hasErrors: errors !== null,
    filter: { ...query, events: ledger.events.map((e) => ({ ...e, selected: e.id === query.event })) },
    rows: ledger.rows.map((r) => ledgerRowView(r, ctx.config.timezone, payoutTitles)),
    total: ledger.total,
    pager: { page: ledger.page, pages: ledger.pages, prev: ledger.page > 1 ? pageLink(ledger.page - 1) : null, next: ledger.page < ledger.pages ? pageLink(ledger.page + 1) : null },
    csvLink: `/admin/finance/exports/payments.csv?${base.toString()}`,
  };
}
