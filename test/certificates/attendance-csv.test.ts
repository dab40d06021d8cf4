import { parseAttendanceReport, parseDuration } from '../../src/certificates/attendance-csv';
import { formatCode, newVerificationCode, normaliseCode } from '../../src/certificates/codes';
import { certificateWhen } from '../../src/certificates/pdf';
import { eventMinutes, formatCpdHours, parseCpdHours } from '../../src/certificates/settings';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('reading Zoom and Teams attendance reports', () => {
  it('when Zoom lists a person once per rejoin, then their minutes are added up under their normalised email', () => {
    const report = parseAttendanceReport(bytes(['Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest', 'Ada Lovelace,Ada@Example.org,x,y,40,No', 'Ada Lovelace (iPhone), ada@example.org ,x,y,25,No', 'Dial-in user,,x,y,12,Yes'].join('\n')));
    expect(report.problems).toEqual([]);
    expect(report.source).toBe('zoom');
    expect(report.people).toEqual([
      { email: 'ada@example.org', name: 'Ada Lovelace', seconds: 65 * 60, lines: [2, 3] },
      { email: '', name: 'Dial-in user', seconds: 12 * 60, lines: [4] },
    ]);
  });

  it('when a newer Teams report has its summary block first and durations like "1h 5m 3s", tab-separated in UTF-16, then the participants table is read', () => {
    const text = [
      '1. Summary',
      'Meeting title\tWaiting times in the NHS',
      'Attended participants\t2',
      'Start time\t17/03/2026, 13:00:01',
      '',
      '2. Participants',
      'Full Name\tFirst Join\tLast Leave\tDuration\tEmail\tParticipant ID (UPN)\tRole',
      'Florence Nightingale\t17/03/2026, 13:00:05\t17/03/2026, 14:05:08\t1h 5m 3s\tflorence@example.org\tflorence@example.org\tAttendee',
      'William Farr\t17/03/2026, 13:10:00\t17/03/2026, 13:55:12\t45m 12s\tWFarr@Example.org\twfarr@example.org\tAttendee',
      '',
      '3. In-Meeting Activities',
      'Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole',
      'Florence Nightingale\t17/03/2026, 13:00:05\t17/03/2026, 14:05:08\t1h 5m 3s\tflorence@example.org\tAttendee',
    ].join('\r\n');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const report = parseAttendanceReport(utf16);
    expect(report.problems).toEqual([]);
    expect(report.source).toBe('teams');
    expect(report.people).toEqual([
      { email: 'florence@example.org', name: 'Florence Nightingale', seconds: 3903, lines: [8] },
      { email: 'wfarr@example.org', name: 'William Farr', seconds: 2712, lines: [9] },
    ]);
  });

  it('when the columns are wrong, then the file is refused naming the columns wanted and the line read', () => {
    const report = parseAttendanceReport(bytes('Email,Name,Membership Number\nada@example.org,Ada,1\n'));
    expect(report.people).toEqual([]);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0].line).toBe(1);
    expect(report.problems[0].message).toContain('No participants table found');
    expect(report.problems[0].message).toContain('"User Email"');
  });

  it('when durations are bad, then every bad line is named and no row is used', () => {
    const report = parseAttendanceReport(bytes(['Full Name,Email,Duration', 'Ada,ada@example.org,1h 5m', 'Bob,bob@example.org,about an hour', 'Cy,cy@example.org,', 'Di,di@example.org,-5'].join('\n')));
    expect(report.people).toEqual([]);
    expect(report.problems.map((p) => p.line)).toEqual([3, 4, 5]);
    expect(report.problems[0].message).toBe('duration "about an hour" is not a duration like 95 (minutes), 1h 5m 3s or 1:05:03');
  });

  it('when the file is not CSV (binary, not UTF-8, empty, an unclosed quote), then it is refused', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
    expect(parseAttendanceReport(png).problems[0].message).toContain('not a CSV file');
    expect(parseAttendanceReport(Buffer.from([0x4e, 0x61, 0x6d, 0x65, 0xe9, 0x2c])).problems[0].message).toContain('not UTF-8');
    expect(parseAttendanceReport(Buffer.alloc(0)).problems[0].message).toBe('The file is empty.');
    expect(parseAttendanceReport(bytes('Full Name,Email,Duration\nAda,"ada@example.org,5\n')).problems[0].message).toContain('not valid CSV');
    expect(parseAttendanceReport(bytes('Full Name,Email,Duration\n')).problems[0].message).toBe('The participants table has no rows.');
  });

  it.each([
    ['95', 95 * 60],
    ['1h 5m 3s', 3903],
    ['45m 12s', 2712],
    ['59s', 59],
    ['2h', 7200],
    ['1:05:03', 3903],
    ['45:12', 2712],
    ['1 hr 5 mins', 3900],
  ])('when a duration reads %s, then it is %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['1:99:99', '1:60:00', '0:75', '1h 75m', '2h 5m 90s'])('when a duration reads %s (minutes or seconds past 59 beside a larger unit), then it is not a duration', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('when a duration is longer than a day (a column in seconds read as minutes, a typing slip), then that line is refused', () => {
    const report = parseAttendanceReport(bytes(['Name (Original Name),User Email,Total Duration (Minutes)', 'Ada,ada@example.org,95', 'Bob,bob@example.org,5400', 'Cy,cy@example.org,999h', 'Di,di@example.org,1440'].join('\n')));
    expect(report.people).toEqual([]);
    expect(report.problems).toEqual([
      { line: 3, message: 'duration "5400" is more than a day (24 hours): is the column in seconds? Export the report with durations in minutes' },
      { line: 4, message: 'duration "999h" is more than a day (24 hours): is the column in seconds? Export the report with durations in minutes' },
    ]);
  });

  it('when the report has 50,000 rows, then it is refused at the line past the 20,000th, within seconds', () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => `Person ${i},person${i}@example.org,95`);
    const started = Date.now();
    const report = parseAttendanceReport(bytes(['Full Name,Email,Duration', ...rows].join('\n')));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(report.people).toEqual([]);
    expect(report.problems).toEqual([{ line: 20_002, message: 'The file has more than 20,000 participant rows: is it the attendance report of one meeting?' }]);
  });

  it('when the report is UTF-16 big-endian with its BOM, or UTF-16 little-endian without one, then it is read like any other', () => {
    const table = 'Full Name\tEmail\tDuration\nAda Lovelace\tada@example.org\t1h 5m\n';
    const le = Buffer.from(table, 'utf16le');
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]);
    for (const file of [be, le]) {
      const report = parseAttendanceReport(file);
      expect(report.problems).toEqual([]);
      expect(report.people).toEqual([{ email: 'ada@example.org', name: 'Ada Lovelace', seconds: 3900, lines: [2] }]);
    }
  });

  it('when Excel in a decimal-comma locale saves semicolon-separated minutes like 95,5, then they are read', () => {
    const report = parseAttendanceReport(bytes('Name;Email;Duration\r\nSmith, Ada;ada@example.org;95,5\r\n'));
    expect(report.problems).toEqual([]);
    expect(report.people).toEqual([{ email: 'ada@example.org', name: 'Smith, Ada', seconds: 5730, lines: [2] }]);
  });
});

describe('verification codes and CPD hours', () => {
  it('when codes are made, then each has 20 characters of base 32 (100 bits), and typing it back loosely finds it', () => {
    const codes = new Set(Array.from({ length: 2000 }, newVerificationCode));
    expect(codes.size).toBe(2000);
    for (const code of [...codes].slice(0, 50)) {
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{20}$/);
      expect(normaliseCode(formatCode(code).toLowerCase().replace(/-/g, ' '))).toBe(code);
    }
    expect(normaliseCode('ABCDE-FGHJK-MNPQR-STVWO')).toBe('ABCDEFGHJKMNPQRSTVW0');
    expect(normaliseCode('ABCDE-FGHJK-MNPQR-STVW')).toBeNull();
    expect(normaliseCode('ABCDE-FGHJK-MNPQR-STVWU')).toBeNull();
  });

  it.each([
    ['full-width letters (a Japanese or Chinese keyboard)', 'ＡＢＣＤＥ－ＦＧＨＪＫ－ＭＮＰＱＲ－ＳＴＶＷＸ'],
    ['en and em dashes (a word processor’s autocorrect)', 'ABCDE–FGHJK—MNPQR‑STVWX'],
    ['no-break and zero-width spaces (copied from a PDF or an email)', 'ABCDE\u00a0FGHJK\u200bMNPQR\u2009STVWX\ufeff'],
  ])('when a code is typed with %s, then it is still the code', (_, typed) => {
    expect(normaliseCode(typed)).toBe('ABCDEFGHJKMNPQRSTVWX');
  });

  it.each([
    ['1.5', 90],
    ['2', 120],
    ['0.75', 45],
    ['1.25', 75],
    ['1.1', 66],
    ['1.33', null],
    ['1,5', null],
    ['-1', null],
    ['100', null],
  ])('when CPD hours are typed as %s, then they are %s minutes', (text, minutes) => {
    expect(parseCpdHours(text)).toBe(minutes);
  });

  it('when minutes are shown as hours, then they read as people write them', () => {
    expect([90, 120, 45, 75].map(formatCpdHours)).toEqual(['1.5', '2', '0.75', '1.25']);
  });
});

describe('the date and times printed on a certificate', () => {
  it.each([
    ['an evening across the autumn change', '2026-10-24T23:30:00Z', '2026-10-25T02:30:00Z', 'Sunday 25 October 2026, 12:30am BST to 2:30am GMT (Europe/London)'],
    ['a night across the spring change', '2026-03-29T00:30:00Z', '2026-03-29T03:00:00Z', 'Sunday 29 March 2026, 12:30am GMT to 4:00am BST (Europe/London)'],
    ['a two-day conference either side of it', '2026-03-28T09:00:00Z', '2026-03-29T16:00:00Z', 'Saturday 28 March 2026 to Sunday 29 March 2026, 9:00am GMT to 5:00pm BST (Europe/London)'],
    ['a summer seminar', '2026-07-01T09:00:00Z', '2026-07-01T16:00:00Z', 'Wednesday 1 July 2026, 10:00am to 5:00pm BST (Europe/London)'],
  ])('when it is %s, then each time is in the event’s zone with its own offset', (_, startsAt, endsAt, printed) => {
    expect(certificateWhen({ startsAt: new Date(startsAt), endsAt: new Date(endsAt), timezone: 'Europe/London' })).toBe(printed);
  });

  it('when the event spans a clock change, then its length (and so the default minimum online time) is in real minutes', () => {
    expect(eventMinutes({ startsAt: new Date('2026-03-29T00:30:00Z'), endsAt: new Date('2026-03-29T03:00:00Z') })).toBe(150);
    expect(eventMinutes({ startsAt: new Date('2026-10-24T23:30:00Z'), endsAt: new Date('2026-10-25T02:30:00Z') })).toBe(180);
  });
});
