import ICAL from 'ical.js';
import { buildInvitation } from '../../src/calendar/ics';
import { loadConfig } from '../../src/config';
import { findEventById } from '../../src/events/queries';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { buildEvent } from '../support/factories';

/** The invitation's alarm (VALARM) at the edges of CALENDAR_ALARM_MINUTES, read back with ical.js. */
let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.destroy());

const base = { SESSION_SECRET: 'alarm-test-secret-of-at-least-32-characters!!', NODE_ENV: 'test' };

async function alarmsWith(minutes: number) {
  const built = await buildEvent(testDb.db, { startsAt: '2026-10-25T18:00:00Z', endsAt: '2026-10-25T20:00:00Z' });
  const event = (await findEventById(testDb.db, built.id))!;
  const ics = buildInvitation({ event, uid: `alarm-${minutes}@hsug.test`, attendee: { name: 'A', email: 'a@example.org' }, method: 'REQUEST', sequence: 0 }, { orgName: 'HSUG', organizerEmail: 'events@hsug.test', eventUrl: (s) => `http://x/${s}`, now: new Date('2026-10-01T00:00:00Z'), alarmMinutes: minutes });
  const vevent = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!;
  return vevent.getAllSubcomponents('valarm').map((a) => {
    const trigger = a.getFirstPropertyValue('trigger') as ICAL.Duration;
    return { action: a.getFirstPropertyValue('action'), seconds: trigger.toSeconds(), hasDescription: Boolean(a.getFirstPropertyValue('description')) };
  });
}

describe('the invitation alarm', () => {
  it('when CALENDAR_ALARM_MINUTES is 0 there is no VALARM; 1 and 10080 (a week) give a display alarm that long before the start, which ical.js reads', async () => {
    expect(await alarmsWith(0)).toEqual([]);
    expect(await alarmsWith(1)).toEqual([{ action: 'DISPLAY', seconds: -60, hasDescription: true }]);
    expect(await alarmsWith(10080)).toEqual([{ action: 'DISPLAY', seconds: -604800, hasDescription: true }]);
  });

  it('when CALENDAR_ALARM_MINUTES is negative, fractional, past a week or not a number, then the service does not start and names the variable', () => {
    for (const bad of ['-1', '1.5', '10081', 'sixty', '99999999999999999999']) {
      expect(() => loadConfig({ ...base, CALENDAR_ALARM_MINUTES: bad })).toThrow(/CALENDAR_ALARM_MINUTES/);
    }
    expect(loadConfig({ ...base, CALENDAR_ALARM_MINUTES: '' }).calendarAlarmMinutes).toBe(60);
  });
});
