import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const PRODUCTION = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://events.hsug.org.uk',
  SESSION_SECRET: 's'.repeat(40),
  STRIPE_SECRET_KEY: 'sk_live_abc',
  STRIPE_WEBHOOK_SECRET: 'whsec_abc',
};

describe('loadConfig', () => {
  it('when nothing is set, then the defaults run the service offline on port 3000 with SQLite in var/', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      publicUrl: 'http://localhost:3000',
      database: { client: 'sqlite', filename: 'var/hsug.sqlite' },
      mail: { from: 'HSUG Events <events@hsug.org.uk>', dir: 'var/mail', smtpUrl: undefined },
      holdMinutes: 30,
      orgName: 'Health Statistics User Group',
      timezone: 'Europe/London',
      stripe: { secretKey: undefined, webhookSecret: undefined, apiBase: undefined },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('when variables are empty strings, then they count as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: ' ', SMTP_URL: '' })).toMatchObject({ port: 3000, database: { client: 'sqlite' } });
  });

  it('when PORT is set and PUBLIC_URL is not, then the public URL follows the port; a trailing slash is dropped', () => {
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ PUBLIC_URL: 'https://events.example.org/' }).publicUrl).toBe('https://events.example.org');
  });

  it('when several variables are bad at once, then one ConfigError names every one of them', () => {
    const problems = problemsOf({ PORT: 'abc', HOLD_MINUTES: '10', TIMEZONE: 'Mars/Base', SMTP_URL: 'http://mail', NODE_ENV: 'staging' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['HOLD_MINUTES', 'NODE_ENV', 'PORT', 'SMTP_URL', 'TIMEZONE']);
    expect(problems.join('\n')).toContain('HOLD_MINUTES: must be at least 30');
    expect(problems.join('\n')).toContain('TIMEZONE: must be an IANA time zone');
  });

  it('when the error is shown, then its message lists each problem on its own line', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/Invalid configuration:\n {2}- PORT: must be a port number/);
  });

  it('when production lacks Stripe keys, the session secret and the public URL, then boot is refused naming each', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toEqual([
      'STRIPE_SECRET_KEY: required in production',
      'STRIPE_WEBHOOK_SECRET: required in production',
      'SESSION_SECRET: required in production',
      'PUBLIC_URL: required in production',
    ]);
  });

  it('when production has a bad value and a missing key, then both are reported together', () => {
    const { STRIPE_WEBHOOK_SECRET: _omitted, ...rest } = PRODUCTION;
    const problems = problemsOf({ ...rest, PORT: 'abc' });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['PORT', 'STRIPE_WEBHOOK_SECRET']);
  });

  it('when production has everything it needs, then it loads', () => {
    expect(loadConfig(PRODUCTION)).toMatchObject({ env: 'production', publicUrl: 'https://events.hsug.org.uk', stripe: { secretKey: 'sk_live_abc' } });
  });

  it('when the session secret is short or a Stripe key has the wrong prefix, then they are named', () => {
    const problems = problemsOf({ SESSION_SECRET: 'short', STRIPE_SECRET_KEY: 'pk_test_abc', STRIPE_WEBHOOK_SECRET: 'abc' });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['SESSION_SECRET', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET']);
  });

  it.each([
    ['file:var/other.sqlite', { client: 'sqlite', filename: 'var/other.sqlite' }],
    ['file:/srv/hsug/hsug.sqlite', { client: 'sqlite', filename: '/srv/hsug/hsug.sqlite' }],
    ['file:///srv/hsug/hsug.sqlite', { client: 'sqlite', filename: '/srv/hsug/hsug.sqlite' }],
    ['/srv/hsug/hsug.sqlite', { client: 'sqlite', filename: '/srv/hsug/hsug.sqlite' }],
    ['data/hsug.sqlite', { client: 'sqlite', filename: 'data/hsug.sqlite' }],
    ['postgres://hsug@db.internal:5432/hsug', { client: 'pg', connectionString: 'postgres://hsug@db.internal:5432/hsug' }],
    ['postgresql://hsug@127.0.0.1/hsug', { client: 'pg', connectionString: 'postgresql://hsug@127.0.0.1/hsug' }],
  ])('when DATABASE_URL is %s, then the database is %j', (url, database) => {
    expect(loadConfig({ DATABASE_URL: url }).database).toEqual(database);
  });

  it.each(['mysql://root@localhost/hsug', 'mongodb://localhost/hsug'])('when DATABASE_URL is %s, then it is refused', (url) => {
    expect(problemsOf({ DATABASE_URL: url })).toEqual(['DATABASE_URL: must be a SQLite path (file:PATH or PATH) or a postgres:// URL']);
  });
});

describe('npm start with a bad environment', () => {
  it('when PORT is not a number, then the server prints a message naming PORT and exits with code 1', () => {
    // Arrange: the environment of a shell, minus anything that would make the service reach a database
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: 'abc' };

    // Act
    const result = spawnSync('npx', ['tsx', 'src/server.ts'], { cwd: path.resolve(__dirname, '..'), env, encoding: 'utf8', timeout: 25_000 });

    // Assert
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid configuration');
    expect(result.stderr).toContain('PORT: must be a port number from 0 to 65535');
    expect(result.stdout).not.toContain('listening');
  });
});

describe('TRUST_PROXY', () => {
  it('when one load balancer is in front, then Express trusts one hop; when the value is nonsense, then the boot names it', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({}).trustProxy).toBe('loopback');
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.4' }).trustProxy).toBe('10.0.0.0/8, 192.168.1.4');
    expect(() => loadConfig({ TRUST_PROXY: 'everyone!' })).toThrow(/TRUST_PROXY/);
  });
});

describe('text in the configuration follows the text rule (lib/text.ts)', () => {
  it('when ORG_NAME, MAIL_FROM or INVOICE_ACCOUNT_NAME holds a line break or a control character, then the boot names each', () => {
    const problems = problemsOf({ ORG_NAME: 'HSUG\r\nX-Evil: 1', MAIL_FROM: 'Events\u0000 <events@hsug.org.uk>', INVOICE_ACCOUNT_NAME: 'HSUG \u202Eknab' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['INVOICE_ACCOUNT_NAME', 'MAIL_FROM', 'ORG_NAME']);
    expect(problems.join('\n')).toContain('ORG_NAME: Must be on one line: remove the line break');
  });

  it('when ORG_NAME has quotes and spaces around it, then it loads trimmed', () => {
    expect(loadConfig({ ORG_NAME: '  The "Stats" Group ' }).orgName).toBe('The "Stats" Group');
  });
});
