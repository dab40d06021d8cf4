import { z } from 'zod';
import { isTimeZone } from './lib/time';

const port = z.coerce.number({ message: 'must be a port number from 0 to 65535' }).int('must be a port number from 0 to 65535').min(0, 'must be a port number from 0 to 65535').max(65535, 'must be a port number from 0 to 65535');
const url = z.url({ protocol: /^https?$/ });

/** How many requests in how long, written `10/10m`: a count, a slash, and a period in seconds, minutes or hours. */
export interface LimitSpec {
  points: number;
  durationSeconds: number;
}
const SECONDS_PER = { s: 1, m: 60, h: 3600 } as const;
const rate = (fallback: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,6}\/\d{1,4}[smh]$/, 'must look like 10/10m: a number of requests, a slash, and a period in s, m or h (at most 24h)')
    .default(fallback)
    .transform((value): LimitSpec => {
      const [, count, amount, unit] = /^(\d+)\/(\d+)([smh])$/.exec(value)!;
      return { points: Number(count), durationSeconds: Number(amount) * SECONDS_PER[unit as keyof typeof SECONDS_PER] };
    })
    .refine((spec) => spec.points >= 1 && spec.durationSeconds >= 1 && spec.durationSeconds <= 86_400, 'must allow at least 1 request in a period from 1s to 24h');
const holdCap = (fallback: number) =>
  z.coerce.number({ message: 'must be a whole number' }).int('must be a whole number').min(0, 'must be 0 (no cap) or more').max(100, 'must be at most 100').default(fallback);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: port.default(3000),
  PUBLIC_URL: url.optional(),
  DATABASE_URL: z.string().min(1).optional(),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_/, 'must start with sk_test_, sk_live_, rk_test_ or rk_live_').optional(),
  STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_/, 'must start with whsec_').optional(),
  STRIPE_API_BASE: url.optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  MAIL_FROM: z.string().min(3).default('HSUG Events <events@hsug.org.uk>'),
  MAIL_DIR: z.string().min(1).default('var/mail'),
  HOLD_MINUTES: z.coerce.number({ message: 'must be a whole number of minutes' }).int('must be a whole number of minutes').min(30, 'must be at least 30 (Stripe Checkout minimum)').max(1440).default(30),
  ORG_NAME: z.string().min(1).default('Health Statistics User Group'),
  TRUST_PROXY: z.string().regex(/^(loopback|true|false|\d{1,2}|[0-9a-fA-F.:/, ]+)$/, 'must be loopback, a number of proxies, or comma-separated addresses/CIDRs').default('loopback'),
  OUTBOX_LEASE_SECONDS: z.coerce.number({ message: 'must be a whole number of seconds' }).int('must be a whole number of seconds').min(1, 'must be at least 1').max(3600, 'must be at most 3600').default(120),
  INVOICE_ACCOUNT_NAME: z.string().min(2).max(100).optional(),
  INVOICE_SORT_CODE: z.string().regex(/^\d{2}-\d{2}-\d{2}$/, 'must look like 12-34-56').optional(),
  INVOICE_ACCOUNT_NUMBER: z.string().regex(/^\d{8}$/, 'must be 8 digits').optional(),
  TIMEZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/London').default('Europe/London'),
  // Abuse limits (web/rate-limit.ts; defaults and their reasons in README "Security").
  RATE_LIMITS: z.enum(['on', 'off'], { message: 'must be on or off' }).default('on'),
  RATE_LIMIT_BOOKINGS_PER_ADDRESS: rate('10/10m'),
  RATE_LIMIT_BOOKINGS_PER_EMAIL: rate('10/1h'),
  RATE_LIMIT_RESEND: rate('5/1h'),
  RATE_LIMIT_LINKS: rate('60/10m'),
  MAX_OPEN_HOLDS_PER_EMAIL: holdCap(2),
  MAX_OPEN_HOLDS_PER_ADDRESS: holdCap(4),
  RATE_LIMIT_SIGN_IN_ACCOUNT_ADDRESS: rate('5/15m'),
  RATE_LIMIT_SIGN_IN_ACCOUNT: rate('20/1h'),
  RATE_LIMIT_SIGN_IN_ADDRESS: rate('20/15m'),
  RATE_LIMIT_SIGN_IN_GLOBAL: rate('100/1m'),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  publicUrl: string;
  database: { client: 'sqlite'; filename: string } | { client: 'pg'; connectionString: string };
  sessionSecret: string;
  stripe: { secretKey?: string; webhookSecret?: string; apiBase?: string };
  mail: { smtpUrl?: string; from: string; dir: string };
  holdMinutes: number;
  /** How long a sender's claim on queued emails lasts; after it, another instance may send them (it crashed). */
  outboxLeaseSeconds: number;
  /** Express's `trust proxy`: which proxies' X-Forwarded-For to believe (sign-in throttling counts by address). */
  trustProxy: string | number | boolean;
  orgName: string;
  /** Bank details printed on pro-forma invoices; absent means "contact the treasurer". */
  bank?: { accountName: string; sortCode: string; accountNumber: string };
  timezone: string;
  limits: Limits;
}

/**
 * The abuse limits. `enabled: false` (RATE_LIMITS=off, for load tests and the test suite) switches off every limit on
 * public booking traffic, holds caps included; sign-in throttling is always on.
 */
export interface Limits {
  enabled: boolean;
  /** Booking attempts (API and forms) per client address, and per email address named in the booking. */
  bookingsPerAddress: LimitSpec;
  bookingsPerEmail: LimitSpec;
  /** The resend-confirmation form, per client address and per email address asked for. */
  resend: LimitSpec;
  /** Pages behind a private link (manage, pay, cancel, calendar copy, checkout return pages; later joining and verification links), per client address. */
  links: LimitSpec;
  /** Most live unpaid holds (`pending_payment`) at once, per buyer email and per client address; 0 = no cap. */
  holdsPerEmail: number;
  holdsPerAddress: number;
  /** Sign-in attempts, counted before the password is checked (successes are given back). */
  signIn: { accountAddress: LimitSpec; account: LimitSpec; address: LimitSpec; global: LimitSpec };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Treat empty strings as unset, as `.env` files and shells often leave them. */
function withoutBlanks(source: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(source).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== ''));
}

export function parseDatabaseUrl(value: string | undefined): Config['database'] {
  if (!value) return { client: 'sqlite', filename: 'var/hsug.sqlite' };
  if (/^postgres(ql)?:\/\//.test(value)) return { client: 'pg', connectionString: value };
  // file:///abs/path is the URL form of file:/abs/path; both name the same SQLite file.
  return { client: 'sqlite', filename: value.replace(/^file:\/\/(?=\/)/, '').replace(/^file:/, '') };
}

function databaseUrlProblem(value: string | undefined): string | undefined {
  if (!value || /^postgres(ql)?:\/\//.test(value) || /^file:/.test(value) || !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  return 'DATABASE_URL: must be a SQLite path (file:PATH or PATH) or a postgres:// URL';
}

/** What production cannot run without; checked on the raw values so they are reported with any other problem. */
function productionProblems(env: Record<string, string>): string[] {
  if (env.NODE_ENV !== 'production') return [];
  return (['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'SESSION_SECRET', 'PUBLIC_URL'] as const)
    .filter((name) => !env[name])
    .map((name) => `${name}: required in production`);
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const raw = withoutBlanks(source);
  const parsed = envSchema.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  problems.push(...productionProblems(raw));
  const databaseProblem = databaseUrlProblem(raw.DATABASE_URL);
  if (databaseProblem) problems.push(databaseProblem);
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  const env = parsed.data;

  return Object.freeze({
    env: env.NODE_ENV,
    port: env.PORT,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
    database: parseDatabaseUrl(env.DATABASE_URL),
    sessionSecret: env.SESSION_SECRET ?? 'development-only-session-secret-change-me',
    stripe: { secretKey: env.STRIPE_SECRET_KEY, webhookSecret: env.STRIPE_WEBHOOK_SECRET, apiBase: env.STRIPE_API_BASE },
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, dir: env.MAIL_DIR },
    holdMinutes: env.HOLD_MINUTES,
    outboxLeaseSeconds: env.OUTBOX_LEASE_SECONDS,
    trustProxy: /^\d+$/.test(env.TRUST_PROXY) ? Number(env.TRUST_PROXY) : env.TRUST_PROXY === 'true' ? true : env.TRUST_PROXY === 'false' ? false : env.TRUST_PROXY,
    orgName: env.ORG_NAME,
    bank:
      env.INVOICE_ACCOUNT_NAME && env.INVOICE_SORT_CODE && env.INVOICE_ACCOUNT_NUMBER
        ? { accountName: env.INVOICE_ACCOUNT_NAME, sortCode: env.INVOICE_SORT_CODE, accountNumber: env.INVOICE_ACCOUNT_NUMBER }
        : undefined,
    timezone: env.TIMEZONE,
    limits: {
      enabled: env.RATE_LIMITS === 'on',
      bookingsPerAddress: env.RATE_LIMIT_BOOKINGS_PER_ADDRESS,
      bookingsPerEmail: env.RATE_LIMIT_BOOKINGS_PER_EMAIL,
      resend: env.RATE_LIMIT_RESEND,
      links: env.RATE_LIMIT_LINKS,
      holdsPerEmail: env.MAX_OPEN_HOLDS_PER_EMAIL,
      holdsPerAddress: env.MAX_OPEN_HOLDS_PER_ADDRESS,
      signIn: {
        accountAddress: env.RATE_LIMIT_SIGN_IN_ACCOUNT_ADDRESS,
        account: env.RATE_LIMIT_SIGN_IN_ACCOUNT,
        address: env.RATE_LIMIT_SIGN_IN_ADDRESS,
        global: env.RATE_LIMIT_SIGN_IN_GLOBAL,
      },
    },
  });
}
