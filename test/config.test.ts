import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, DEVELOPMENT_SESSION_SECRET, ENV_VARIABLES, estimateSecretBits, loadConfig, MIN_SECRET_BITS } from '../src/config';

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
  // 32 random bytes in base64url, as .env.example says to generate it
  SESSION_SECRET: 'q8Zr3Xv_0LmT6yKp2WfNc9Hs-Ej4UdGa7BiQo1RwYxM',
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

describe('production checks on the deployment', () => {
  it('when production is given the documented development SESSION_SECRET, then boot is refused naming SESSION_SECRET', () => {
    const problems = problemsOf({ ...PRODUCTION, SESSION_SECRET: DEVELOPMENT_SESSION_SECRET });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SESSION_SECRET: is a published example value/);
    expect(problems[0]).toContain('randomBytes(32)');
  });

  it('when production is given the secret the tests use, then it is refused too: a value printed in the repository is public', () => {
    expect(problemsOf({ ...PRODUCTION, SESSION_SECRET: 'test-secret-that-is-at-least-32-characters-long' })[0]).toMatch(/^SESSION_SECRET: is a published example value/);
  });

  it.each([
    ['32 × "a"', 'a'.repeat(32)],
    ['40 × "s"', 's'.repeat(40)],
    ['a repeated pattern', 'abcd'.repeat(10)],
    ['32 hex digits (128 random bits, but too short a string to show it)', '3f9a0c1b7d2e4f6a8b0c1d2e3f4a5b6c'],
  ])('when production is given a low-entropy SESSION_SECRET (%s), then boot is refused naming it and the bits', (_label, secret) => {
    const problems = problemsOf({ ...PRODUCTION, SESSION_SECRET: secret });
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^SESSION_SECRET: too predictable for production \\(about \\d+ bits estimated, at least ${MIN_SECRET_BITS} needed\\)`))]);
  });

  it('when outside production the secret is weak, then it is accepted: the checks guard deployments, not laptops', () => {
    expect(loadConfig({ SESSION_SECRET: 'a'.repeat(32) }).sessionSecret).toBe('a'.repeat(32));
    expect(loadConfig({}).sessionSecret).toBe(DEVELOPMENT_SESSION_SECRET);
  });

  it.each([
    ['32 × "a"', 'a'.repeat(32), 0, 0],
    ['"ab" repeated 16 times', 'ab'.repeat(16), 32, 32],
    ['32 hex digits', '3f9a0c1b7d2e4f6a8b0c1d2e3f4a5b6c', 100, 127],
    ['32 bytes of base64url (43 characters)', 'q8Zr3Xv_0LmT6yKp2WfNc9Hs-Ej4UdGa7BiQo1RwYxM', 190, 240],
  ])('when the strength of %s is estimated, then it is between %d and %d bits', (_label, secret, low, high) => {
    expect(estimateSecretBits(secret)).toBeGreaterThanOrEqual(low);
    expect(estimateSecretBits(secret)).toBeLessThanOrEqual(high);
  });

  it('when production has an http: PUBLIC_URL on a real host, then boot is refused naming PUBLIC_URL', () => {
    expect(problemsOf({ ...PRODUCTION, PUBLIC_URL: 'http://events.hsug.org.uk' })).toEqual([
      'PUBLIC_URL: must be https:// in production (http:// is allowed only for a loopback address such as http://127.0.0.1:3000)',
    ]);
  });

  it.each(['http://127.0.0.1:3000', 'http://localhost:3000', 'http://[::1]:3000'])('when production has the loopback PUBLIC_URL %s, then it loads with a warning about plain http', (publicUrl) => {
    const config = loadConfig({ ...PRODUCTION, PUBLIC_URL: publicUrl });
    expect(config.warnings).toEqual([{ variable: 'PUBLIC_URL', message: expect.stringContaining('not Secure and no HSTS header') }]);
  });

  it('when NODE_ENV is unset, then the config carries a warning naming NODE_ENV; when it is set, there is none', () => {
    expect(loadConfig({}).warnings).toEqual([{ variable: 'NODE_ENV', message: expect.stringContaining('NODE_ENV is not set, so the service runs as development') }]);
    expect(loadConfig({ NODE_ENV: 'development' }).warnings).toEqual([]);
    expect(loadConfig(PRODUCTION).warnings).toEqual([]);
  });
});

describe('HTTP timeouts and mail retention', () => {
  it('when nothing is set, then headers must arrive in 20 s, a whole request in 60 s, idle connections close after 5 s, and sent mail bodies are kept 30 days', () => {
    expect(loadConfig({})).toMatchObject({ http: { headersTimeoutMs: 20_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000 }, mailBodyRetentionDays: 30 });
  });

  it('when they are set, then they are used; when they are nonsense, then each is named', () => {
    expect(loadConfig({ HTTP_REQUEST_TIMEOUT_SECONDS: '120', MAIL_BODY_RETENTION_DAYS: '7' })).toMatchObject({ http: { requestTimeoutMs: 120_000 }, mailBodyRetentionDays: 7 });
    const problems = problemsOf({ HTTP_HEADERS_TIMEOUT_SECONDS: '0', HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: 'soon', MAIL_BODY_RETENTION_DAYS: '0' });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['HTTP_HEADERS_TIMEOUT_SECONDS', 'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS', 'MAIL_BODY_RETENTION_DAYS']);
  });

  it('when the headers may take longer than the whole request, then the boot says so', () => {
    expect(problemsOf({ HTTP_HEADERS_TIMEOUT_SECONDS: '90', HTTP_REQUEST_TIMEOUT_SECONDS: '60' })).toEqual(['HTTP_HEADERS_TIMEOUT_SECONDS: must not be longer than HTTP_REQUEST_TIMEOUT_SECONDS']);
  });
});

describe('.env.example', () => {
  const ENV_EXAMPLE = path.resolve(__dirname, '../.env.example');

  /** The file as a shell would load it (`set -a; . ./.env`): KEY=value lines, quotes removed, comments skipped. */
  function readEnvExample(): Record<string, string> {
    const entries = fs
      .readFileSync(ENV_EXAMPLE, 'utf8')
      .split('\n')
      .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2].replace(/^"(.*)"$/, '$1')] as const);
    return Object.fromEntries(entries);
  }

  it('when it is copied as it is, then the service starts in development with it', () => {
    expect(loadConfig(readEnvExample())).toMatchObject({ env: 'development', port: 3000, mailBodyRetentionDays: 30 });
  });

  it('when the variables it documents are compared with those the service reads, then they are the same', () => {
    expect(Object.keys(readEnvExample()).sort()).toEqual([...ENV_VARIABLES].sort());
  });

  it('when it is used in production with only NODE_ENV and the Stripe keys changed, then the boot refuses and names SESSION_SECRET and PUBLIC_URL', () => {
    const problems = problemsOf({ ...readEnvExample(), NODE_ENV: 'production', STRIPE_SECRET_KEY: 'sk_live_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc', PUBLIC_URL: 'http://events.hsug.org.uk' });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['SESSION_SECRET', 'PUBLIC_URL']);
  });
});

describe('npm start with a bad environment', () => {
  it('when PORT is not a number, then the server prints a message naming PORT and exits with code 1', () => {
    // Arrange: the environment of a shell, minus anything that would make the service reach a database
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: 'abc' };

    // Act
    const result = spawnSync('npx', ['tsx', 'src/server.ts'], { cwd: path.resolve(__dirname, '..'), env, encoding: 'utf8', timeout: 80_000 });

    // Assert
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid configuration');
    expect(result.stderr).toContain('PORT: must be a port number from 0 to 65535');
    expect(result.stdout).not.toContain('listening');
  }, 90_000);

  it('when the server starts with NODE_ENV unset, then its first log line is a config_warning naming NODE_ENV', () => {
    // A database under a plain file cannot be created: the boot stops right after the configuration is read and reported.
    const blocker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hsug-boot-')), 'not-a-directory');
    fs.writeFileSync(blocker, '');
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: `${blocker}/db.sqlite` };

    const result = spawnSync('npx', ['tsx', 'src/server.ts'], { cwd: path.resolve(__dirname, '..'), env, encoding: 'utf8', timeout: 80_000 });

    expect(result.error).toBeUndefined(); // spawnSync's own timeout (a machine under heavy load) would show here
    const first = JSON.parse(result.stdout.split('\n')[0]) as Record<string, unknown>;
    expect(first).toMatchObject({ level: 'warn', security: 'config_warning', variable: 'NODE_ENV', msg: expect.stringMatching(/^CONFIGURATION WARNING: NODE_ENV is not set/) });
    expect(result.status).toBe(1);
  }, 90_000);

  it('when DATABASE_URL names a file that is not a SQLite database, then the server names DATABASE_URL and the file, and exits with code 1 without a stack trace', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsug-boot-'));
    const file = path.join(dir, 'notes.sqlite');
    fs.writeFileSync(file, 'These are my notes, not a database. '.repeat(20));
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'development', DATABASE_URL: file };

    const result = spawnSync('npx', ['tsx', 'src/server.ts'], { cwd: path.resolve(__dirname, '..'), env, encoding: 'utf8', timeout: 80_000 });

    expect(result.error).toBeUndefined();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`DATABASE_URL: cannot open the SQLite database ${file}: file is not a database`);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/^\s+at /m);
    expect(result.stdout).not.toContain('listening');
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^These are my notes/); // left as it was
  }, 90_000);

  it('when DATABASE_URL names a PostgreSQL server that does not answer, then the server names DATABASE_URL (without the password) and exits with code 1 without a stack trace', () => {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'development', DATABASE_URL: 'postgres://hsug:s3cret@127.0.0.1:1/hsug' };

    const result = spawnSync('npx', ['tsx', 'src/server.ts'], { cwd: path.resolve(__dirname, '..'), env, encoding: 'utf8', timeout: 80_000 });

    expect(result.error).toBeUndefined();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:1/hsug');
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(`${result.stdout}${result.stderr}`).not.toContain('s3cret');
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/^\s+at /m);
  }, 90_000);

  it('when production is started with a low-entropy SESSION_SECRET, then the server names SESSION_SECRET and exits with code 1', () => {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...PRODUCTION, SESSION_SECRET: 'a'.repeat(32) };

    const result = spawnSync('npx', ['tsx', 'src/server.ts'], { cwd: path.resolve(__dirname, '..'), env, encoding: 'utf8', timeout: 80_000 });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('SESSION_SECRET: too predictable for production');
    expect(result.stdout).not.toContain('listening');
  }, 90_000);
});

describe('ORG_CONTACT_EMAIL', () => {
  it('when it is unset, then the organisation is reached at events@hsug.org.uk; when it is not an email address, then the boot names it', () => {
    expect(loadConfig({}).orgContactEmail).toBe('events@hsug.org.uk');
    expect(loadConfig({ ORG_CONTACT_EMAIL: 'treasurer@hsug.example' }).orgContactEmail).toBe('treasurer@hsug.example');
    expect(() => loadConfig({ ORG_CONTACT_EMAIL: 'write to us' })).toThrow(/ORG_CONTACT_EMAIL: must be an email address/);
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

describe('the abuse limits', () => {
  it('when nothing is set, then the documented defaults apply and the limits are on', () => {
    expect(loadConfig({}).limits).toEqual({
      enabled: true,
      bookingsPerAddress: { points: 10, durationSeconds: 600 },
      bookingsPerEmail: { points: 10, durationSeconds: 3600 },
      resend: { points: 5, durationSeconds: 3600 },
      links: { points: 60, durationSeconds: 600 },
      discountCodes: { points: 10, durationSeconds: 3600 },
      holdsPerEmail: 2,
      holdsPerAddress: 4,
      signIn: {
        accountAddress: { points: 5, durationSeconds: 900 },
        account: { points: 20, durationSeconds: 3600 },
        address: { points: 20, durationSeconds: 900 },
        global: { points: 100, durationSeconds: 60 },
      },
    });
  });

  it('when limits are written as count/period, then they are read in seconds, minutes or hours; RATE_LIMITS=off turns the public limits off', () => {
    const config = loadConfig({ RATE_LIMITS: 'off', RATE_LIMIT_BOOKINGS_PER_ADDRESS: '30/5m', RATE_LIMIT_LINKS: '2/30s', RATE_LIMIT_SIGN_IN_GLOBAL: '500/2h', MAX_OPEN_HOLDS_PER_ADDRESS: '0' });
    expect(config.limits).toMatchObject({ enabled: false, bookingsPerAddress: { points: 30, durationSeconds: 300 }, links: { points: 2, durationSeconds: 30 }, holdsPerAddress: 0, signIn: { global: { points: 500, durationSeconds: 7200 } } });
  });

  it('when a limit is malformed, zero or longer than a day, then the boot names each variable', () => {
    const problems = problemsOf({ RATE_LIMITS: 'maybe', RATE_LIMIT_RESEND: 'five per hour', RATE_LIMIT_LINKS: '0/10m', RATE_LIMIT_SIGN_IN_ADDRESS: '5/25h', MAX_OPEN_HOLDS_PER_EMAIL: '-1' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['MAX_OPEN_HOLDS_PER_EMAIL', 'RATE_LIMITS', 'RATE_LIMIT_LINKS', 'RATE_LIMIT_RESEND', 'RATE_LIMIT_SIGN_IN_ADDRESS']);
    expect(problems.join('\n')).toContain('RATE_LIMIT_RESEND: must look like 10/10m');
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
