import { inZone } from '../../src/lib/time';
import { zoneClock } from '../../src/lib/wall-clock';

/** What the downloads showed before, one luxon DateTime per value: the reference the fast clock must match. */
const luxonStamp = (date: Date, zone: string) => inZone(date, zone).toFormat('yyyy-LL-dd HH:mm');
const luxonWallClock = (date: Date, zone: string) => inZone(date, zone).setZone('UTC', { keepLocalTime: true }).toJSDate();

// London and New York; Lord Howe moves its clocks by half an hour; Kathmandu and Chatham are quarter-hour zones.
const ZONES = ['Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'Pacific/Auckland', 'UTC'];

describe('zoneClock', () => {
  it('when an evening meeting is after the clocks go forward in London, then it stamps BST wall-clock time', () => {
    const clock = zoneClock('Europe/London');
    expect(clock.stamp(new Date('2026-03-17T18:00:00Z'))).toBe('2026-03-17 18:00');
    expect(clock.stamp(new Date('2026-03-31T17:00:00Z'))).toBe('2026-03-31 18:00');
    expect(clock.wallClock(new Date('2026-04-14T16:55:00Z')).toISOString()).toBe('2026-04-14T17:55:00.000Z');
  });

  it.each(ZONES)('when instants cross the 2026 clock changes in %s, then stamps and wall-clock dates are what luxon gives, minute by minute', (zone) => {
    const clock = zoneClock(zone);
    // About every 47 minutes through 2026 (seconds and milliseconds included), then each minute of the
    // hours either side of every change of offset.
    const instants: number[] = [];
    const start = Date.UTC(2026, 0, 1);
    for (let ms = start; ms < Date.UTC(2027, 0, 1); ms += 2_833_123) instants.push(ms);
    for (let ms = start; ms < Date.UTC(2027, 0, 1); ms += 3_600_000) {
      if (inZone(new Date(ms), zone).offset !== inZone(new Date(ms + 3_600_000), zone).offset) {
        for (let m = ms - 3_600_000; m < ms + 3 * 3_600_000; m += 60_000) instants.push(m, m + 59_999);
      }
    }
    const differ = instants
      .map((ms) => new Date(ms))
      .filter((d) => clock.stamp(d) !== luxonStamp(d, zone) || clock.wallClock(d).getTime() !== luxonWallClock(d, zone).getTime());
    expect(differ.map((d) => d.toISOString())).toEqual([]);
  });

  it('when a date is long past or far ahead, then it still matches luxon', () => {
    for (const iso of ['1900-06-01T12:34:56.789Z', '1847-11-30T23:59:00Z', '0099-03-01T00:00:00Z', '2100-10-31T01:30:00Z', '9999-12-31T23:59:00Z']) {
      const d = new Date(iso);
      expect(zoneClock('Europe/London').stamp(d)).toBe(luxonStamp(d, 'Europe/London'));
      expect(zoneClock('Europe/London').wallClock(d).getTime()).toBe(luxonWallClock(d, 'Europe/London').getTime());
    }
  });

  it('when the date is invalid, then the stamp says so as luxon did', () => {
    expect(zoneClock('Europe/London').stamp(new Date('nonsense'))).toBe('Invalid DateTime');
  });
});
