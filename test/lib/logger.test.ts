import { createLogger, errorFields } from '../../src/lib/logger';

/** A logger writing into an array, one parsed JSON object per line. */
function capture(level?: 'info' | 'warn' | 'error') {
  const lines: string[] = [];
  const logger = createLogger({ destination: { write: (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)) }, level });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('the logger', () => {
  it('when something is logged, then one JSON line carries the level by name, an ISO time, the message and the context fields', () => {
    const { logger, lines, parsed } = capture();

    logger.error('refund failed', { requestId: 'ab12cd34', booking: 'HSUG-7QX2', attempt: 2 });

    expect(lines).toHaveLength(1);
    const [line] = parsed();
    expect(line).toEqual({ level: 'error', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), msg: 'refund failed', requestId: 'ab12cd34', booking: 'HSUG-7QX2', attempt: 2 });
    expect(lines[0]).toContain('"level":"error"');
  });

  it('when a password, token or secret is among the fields, even one level down, then its value never reaches the log', () => {
    const { logger, lines, parsed } = capture();

    logger.warn('sign-in problem', { email: 'ada@example.org', password: 'hunter2-hunter2', token: 'tok_live_abc', user: { apiToken: 'hsug_tok_xyz', passwordHash: '$argon2id$v=19$secret' }, headers: { authorization: 'Bearer abc.def' } });

    expect(lines.join('\n')).not.toMatch(/hunter2|tok_live_abc|hsug_tok_xyz|argon2id|abc\.def/);
    expect(parsed()[0]).toMatchObject({ level: 'warn', email: 'ada@example.org', password: '[redacted]', token: '[redacted]', user: { apiToken: '[redacted]', passwordHash: '[redacted]' }, headers: { authorization: '[redacted]' } });
  });

  it('when request headers, a cookie, a CSRF token or a one-time code are logged two levels down, then none of them is written', () => {
    const { logger, lines, parsed } = capture();

    logger.warn('probe', { req: { headers: { authorization: 'Bearer hsug_secret_api_token', cookie: 'hsug_staff=sess-abc', 'set-cookie': 'hsug_staff=sess-new' } }, form: { _csrf: 'csrf-xyz', totp: '123456', newPassword: 'n3w-pass' } });

    expect(lines.join('\n')).not.toMatch(/hsug_secret_api_token|sess-abc|sess-new|csrf-xyz|123456|n3w-pass/);
    expect(parsed()[0]).toMatchObject({ req: { headers: { authorization: '[redacted]', cookie: '[redacted]', 'set-cookie': '[redacted]' } }, form: { _csrf: '[redacted]', totp: '[redacted]', newPassword: '[redacted]' } });
  });

  it('when the level is warn, then info lines are left out and warnings and errors are written', () => {
    const { logger, parsed } = capture('warn');

    logger.info('listening');
    logger.warn('slow');
    logger.error('failed', errorFields(new Error('boom')));

    expect(parsed().map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'slow'],
      ['error', 'failed'],
    ]);
    expect(parsed()[1]).toMatchObject({ error: 'boom', stack: expect.stringContaining('Error: boom') });
  });
});
