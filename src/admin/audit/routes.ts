import type { Request } from 'express';
import type { ServiceContext } from '../../context';
import { ValidationError } from '../../lib/errors';
import { formatDate, formatInstant, parseDateBound } from '../../lib/time';
import { fieldErrors, parseInput } from '../../web/validate';
import type { Views } from '../../web/views';
import { renderAdmin } from '../render';
import type { GuardedRouter } from '../route-table';
import { describeAudit } from './describe';
import { countAuditEntries, listAuditEntries, listAuditEvents, listAuditPeople, type AuditRecord } from './queries';
import { auditQuerySchema, type AuditQuery } from './schemas';

export const AUDIT_PAGE_SIZE = 50;

function parsedDetails(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch (error) {
    // Not JSON (never written so, but the column is free text): the row still reads, as "details could not be read".
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}

function toEntryView(r: AuditRecord, zone: string) {
  const who = r.userName ?? r.actor;
  return { at: formatInstant(r.at, zone), atIso: r.at.toISOString(), text: describeAudit({ action: r.action, who, targetType: r.targetType, targetId: r.targetId, details: parsedDetails(r.details), eventTitle: r.eventTitle }) };
}

function pageHref(query: AuditQuery, page: number): string {
  const params = new URLSearchParams();
  if (query.person) params.set('person', String(query.person));
  if (query.event) params.set('event', String(query.event));
  if (query.from) params.set('from', query.from);
  if (query.to) params.set('to', query.to);
  params.set('page', String(page));
  return `/admin/audit?${params.toString()}`;
}

/** The filter form's values as typed, for showing the form again after a mistake. */
function typed(req: Request): Record<string, string> {
  const q = req.query as Record<string, unknown>;
  return Object.fromEntries(['person', 'event', 'from', 'to'].map((k) => [k, typeof q[k] === 'string' ? (q[k] as string) : '']));
}

export function auditRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter): void {
  routes.get('/audit', 'audit:read', async (req, res) => {
    const zone = ctx.config.timezone;
    const [people, events] = await Promise.all([listAuditPeople(ctx.db), listAuditEvents(ctx.db)]);
    const form = typed(req);
    const choices = {
      people: [{ value: 'cli', label: 'The command line', selected: form.person === 'cli' }, ...people.map((p) => ({ value: String(p.id), label: `${p.name} (${p.email})`, selected: form.person === String(p.id) }))],
      events: events.map((e) => ({ value: String(e.id), label: `${e.title} (${formatDate(e.startsAt, zone)})`, selected: form.event === String(e.id) })),
    };
    let query: AuditQuery;
    try {
      query = parseInput(auditQuerySchema, req.query);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      renderAdmin(views, res, 'audit', { title: 'Audit log', hasErrors: true, errors: fieldErrors(error), form, ...choices, entries: [], isInvalid: true, zone }, 422);
      return;
    }
    const filter = {
      person: query.person,
      eventId: query.event,
      from: query.from ? parseDateBound(query.from, zone, 'start') : undefined,
      before: query.to ? parseDateBound(query.to, zone, 'end') : undefined,
    };
    const [total, rows] = await Promise.all([countAuditEntries(ctx.db, filter), listAuditEntries(ctx.db, filter, AUDIT_PAGE_SIZE, (query.page - 1) * AUDIT_PAGE_SIZE)]);
    const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
    renderAdmin(views, res, 'audit', {
      title: 'Audit log',
      form,
      errors: {},
      ...choices,
      entries: rows.map((r) => toEntryView(r, zone)),
      total,
      isFiltered: Boolean(query.person || query.event || query.from || query.to),
      page: query.page,
      pages,
      hasPages: pages > 1,
      zone,
      prevHref: query.page > 1 ? pageHref(query, query.page - 1) : null,
      nextHref: query.page < pages ? pageHref(query, query.page + 1) : null,
    });
  });
}
