import type { Request, Response } from 'express';
import type { ServiceContext } from '../../context';
import { ConflictError, NotFoundError } from '../../lib/errors';
import { formatRange } from '../../lib/time';
import { parseInput } from '../../web/validate';
import type { Views } from '../../web/views';
import { referenceSchema } from '../../bookings';
import { staffOf } from '../auth/middleware';
import { can, type Role } from '../auth/roles';
import { cancelRefusal } from './cancel';
import { findStaffEvent } from '../events/read';
import { noticeText } from '../events/notices';
import { renderAdmin } from '../render';
import type { GuardedRouter } from '../route-table';
import { slugParam } from '../params';
import { recordAttendeeDownload, sendAttendeeDownload, type DownloadFormat } from './downloads';
import { bySurname, describeRows, STATUS_LABELS, surnameFirst, toAttendeeView, walkInRows } from './present';
import { listExpected, LIST_STATUSES, type AttendeeListRow, type ListStatus } from './queries';
import { loadAttendeeList } from './read';
import { attendeeQuerySchema, exportFormatSchema } from './schemas';
import { maySeeSensitive, questionColumns, withAnswers } from './answers';
import { answerLines } from '../../bookings';
import { offerWaitlistPlace } from './waitlist';

/** The cancel links of one row: organisers may cancel any booking, the treasurer paid ones (`cancel.ts`). */
function cancelLinks(row: AttendeeListRow, role: Role) {
  const isAllowed = can(role, 'bookings:cancel') && cancelRefusal(role, { total: row.bookingTotal }, 'none') === null;
  const isLive = ['confirmed', 'waitlisted', 'pending_payment'].includes(row.bookingStatus);
  return {
    canCancelBooking: isAllowed && isLive,
    canCancelSeat: isAllowed && !row.isCancelledSeat && (row.bookingStatus === 'confirmed' || row.bookingStatus === 'waitlisted'),
  };
}

/** `status=all` (or none) filters nothing. */
const statusFilter = (status: ListStatus | 'all' | undefined) => (status === 'all' ? undefined : status);

function downloadQuery(query: { q?: string; status?: string; ticket?: number }, page?: number): string {
  const params = new URLSearchParams();
  if (page) params.set('page', String(page));
  if (query.q) params.set('q', query.q);
  if (query.status) params.set('status', query.status);
  if (query.ticket) params.set('ticket', String(query.ticket));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The event's attendee list as a download in `format`, filtered as the request's query says; recorded in the audit log. */
async function sendDownload(ctx: ServiceContext, req: Request, res: Response, format: DownloadFormat, surface: 'page' | 'api'): Promise<void> {
  const event = await findStaffEvent(ctx, slugParam(req));
  const query = parseInput(attendeeQuerySchema, req.query);
  const filter = { q: query.q, status: statusFilter(query.status), ticketTypeId: query.ticket };
  // Sensitive answers only when chosen, and never for the treasurer (answers.ts).
  const includeSensitive = query.sensitive === true && maySeeSensitive(staffOf(res).role);
  await recordAttendeeDownload(ctx, staffOf(res), event, { format, surface, filter: { ...filter, ...(includeSensitive ? { sensitive: 'included' } : {}) } });
  await sendAttendeeDownload(ctx, event, filter, format, res, { includeSensitive });
}

export function attendeeRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter): void {
  routes.get('/events/:slug/attendees', 'attendees:read', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const parsed = parseInput(attendeeQuerySchema, req.query);
    // The page shows confirmed places unless asked otherwise: those are the seats; its download links carry the choice.
    const query = { ...parsed, status: parsed.status ?? 'confirmed' };
    const list = await loadAttendeeList(ctx, event, { q: query.q, status: statusFilter(query.status), ticketTypeId: query.ticket }, query.page);
    const seeSensitive = maySeeSensitive(staffOf(res).role);
    const columns = await questionColumns(ctx.db, event.id, { includeSensitive: seeSensitive });
    const answered = await withAnswers(ctx.db, list.rows, columns);
    const rows = describeRows(list.bySeatStatus, query.status);
    const zone = event.timezone;
    const role = staffOf(res).role;
    const canManage = can(role, 'attendees:manage');
    renderAdmin(views, res, 'attendees', {
      title: `Attendees: ${event.title}`,
      isWide: true,
      event: { slug: event.slug, title: event.title, when: formatRange(event.startsAt, event.endsAt, zone), isFree: list.ticketTypes.every((t) => t.price === 0) },
      query: { ...query, downloads: downloadQuery(query), sensitiveDownloads: `${downloadQuery(query) || '?'}${downloadQuery(query) ? '&' : ''}sensitive=1` },
      statuses: LIST_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s], selected: query.status === s })),
      isAllStatuses: query.status === 'all',
      rowsHeading: rows.heading,
      rowsHidden: rows.hidden,
      allStatusesHref: downloadQuery({ ...query, status: 'all' }),
      ticketTypes: list.ticketTypes.map((t) => ({ value: t.id, label: t.name, selected: query.ticket === t.id })),
      attendees: answered.map((r) => ({ ...toAttendeeView(r, zone), ...cancelLinks(r, role), answers: answerLines(r.answerRecords ?? [], { showSensitive: seeSensitive }) })),
      hasQuestions: columns.length > 0,
      hasSensitiveQuestions: seeSensitive && columns.some((c) => c.isSensitive),
      canCancel: can(role, 'bookings:cancel'),
      total: list.total,
      page: query.page,
      pages: list.pages,
      prevHref: query.page > 1 ? downloadQuery(query, query.page - 1) : null,
      nextHref: query.page < list.pages ? downloadQuery(query, query.page + 1) : null,
      byType: list.byType,
      dietary: list.dietary,
      accessibility: list.accessibility,
      waitlist: list.waitlist.map((w, i) => ({ position: i + 1, reference: w.booking.reference, names: w.attendees.map((a) => a.name).join(', '), seats: w.attendees.length, email: w.booking.buyerEmail })),
      canManage,
      notice: noticeText(req.query as Record<string, unknown>),
    });
  });

  routes.get('/events/:slug/attendees.:format', 'attendees:read', async (req, res) => {
    const format = exportFormatSchema.safeParse(req.params.format);
    if (!format.success) throw new NotFoundError('not_found', 'Downloads are .csv, .xlsx or .json.');
    await sendDownload(ctx, req, res, format.data, 'page');
  });

  routes.get('/events/:slug/sign-in-sheet', 'attendees:read', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    // The sheet is for the room: people taking part online sign in by opening their joining link.
    const people = (await listExpected(ctx.db, event.id, undefined, undefined, true)).sort(bySurname);
    await recordAttendeeDownload(ctx, staffOf(res), event, { format: 'sign_in_sheet', surface: 'page' });
    renderAdmin(views, res, 'sign-in-sheet', {
      title: `Sign-in sheet: ${event.title}`,
      event: { slug: event.slug, title: event.title, when: formatRange(event.startsAt, event.endsAt, event.timezone), venue: event.venue },
      people: people.map((r) => ({ ...toAttendeeView(r, event.timezone), ...surnameFirst(r.name) })),
      count: people.length,
      walkIns: Array.from({ length: walkInRows(people.length) }, (_, i) => i + 1),
    });
  });

  routes.post('/events/:slug/waitlist/:reference/offer', 'attendees:manage', async (req, res) => {
    const slug = slugParam(req);
    const reference = referenceSchema.safeParse(req.params.reference);
    if (!reference.success) throw new NotFoundError('booking_not_found', 'No such booking for this event.');
    try {
      const outcome = await offerWaitlistPlace(ctx, staffOf(res), slug, reference.data);
      res.redirect(303, `/admin/events/${slug}/attendees?notice=${outcome === 'offered' ? 'offered_hold' : 'offered'}#waitlist`);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      renderAdmin(views, res, 'problem', { title: 'Could not offer the place', message: error.message, back: `/admin/events/${slug}/attendees#waitlist` }, 409);
    }
  });
}

export function attendeeApiRoutes(ctx: ServiceContext, routes: GuardedRouter): void {
  routes.get('/events/:slug/attendees', 'attendees:read', (req, res) => sendDownload(ctx, req, res, 'json', 'api'));

  routes.get('/events/:slug/attendees.:format', 'attendees:read', async (req, res) => {
    const format = exportFormatSchema.safeParse(req.params.format);
    if (!format.success) throw new NotFoundError('not_found', 'Use attendees.json, attendees.csv or attendees.xlsx.');
    await sendDownload(ctx, req, res, format.data, 'api');
  });
}
