import { eventUrl } from '../lib/links';
import type { ServiceContext } from '../context';
import type { CalendarContext } from './ics';

export function calendarContext(ctx: ServiceContext): CalendarContext {
  const organizerEmail = /<([^>]+)>/.exec(ctx.config.mail.from)?.[1] ?? ctx.config.mail.from;
  return { orgName: ctx.config.orgName, organizerEmail, eventUrl: (slug: string) => eventUrl(ctx.config, slug), now: ctx.clock.now(), alarmMinutes: ctx.config.calendarAlarmMinutes };
}
