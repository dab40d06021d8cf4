import type { ServiceContext } from '../../context';
import type { EventRecord } from '../../events/types';
import { listBookingsWithAttendees } from '../events/affected';
import { listAllTicketTypes } from '../events/queries';
import { countAttendees, countBySeatStatus, countByTicketType, listAccessibilityNeeds, listAttendeePage, summariseDietary, type AttendeeFilter } from './queries';

export const PAGE_SIZE = 200;

export async function loadAttendeeList(ctx: ServiceContext, event: EventRecord, filter: AttendeeFilter, page: number) {
  const [rows, total, byType, dietary, accessibility, waitlist, ticketTypes, bySeatStatus] = await Promise.all([
    listAttendeePage(ctx.db, event.id, filter, PAGE_SIZE, (page - 1) * PAGE_SIZE),
    countAttendees(ctx.db, event.id, filter),
    countByTicketType(ctx.db, event.id),
    summariseDietary(ctx.db, event.id),
    listAccessibilityNeeds(ctx.db, event.id),
    listBookingsWithAttendees(ctx.db, event.id, ['waitlisted']),
    listAllTicketTypes(ctx.db, event.id),
    countBySeatStatus(ctx.db, event.id, { q: filter.q, ticketTypeId: filter.ticketTypeId }),
  ]);
  return { rows, total, byType, dietary, accessibility, waitlist, ticketTypes, bySeatStatus, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}
