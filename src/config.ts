import { z } from 'zod';
import { singleLineText } from './lib/text';
import { isTimeZone } from './lib/time';

const port = z.coerce.number({ message: 'must be a port number from 0 to 65535' }).int('must be a port number from 0 to 65535').min(0, 'must be a port number from 0 to 65535').max(65535, 'must be a port number from 0 to 65535');
const url = z.url({ protocol: /^https?$/ });
const seconds = (min: number, max: number) =>
  z.coerce.number({ message: 'must be a whole number of seconds' }).int('must be a whole number of seconds').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

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
  MAIL_FROM: singleLineText(300).min(3).default('HSUG Events <events@hsug.org.uk>'),
  MAIL_DIR: z.string().min(1).default('var/mail'),
  HOLD_MINUTES: z.coerce.number({ message: 'must be a whole number of minutes' }).int('must be a whole number of minutes').min(30, 'must be at least 30 (Stripe Checkout minimum)').max(1440).default(30),
  ORG_NAME: singleLineText(200).min(1).default('Health Statistics User Group'),
  ORG_CONTACT_EMAIL: z.email('must be an email address like events@hsug.org.uk').max(200).default('events@hsug.org.uk'),
  TRUST_PROXY: z.string().regex(/^(loopback|true|false|\d{1,2}|[0-9a-fA-F.:/, ]+)$/, 'must be loopback, a number of proxies, or comma-separated addresses/CIDRs').default('loopback'),
  OUTBOX_LEASE_SECONDS: z.coerce.number({ message: 'must be a whole number of seconds' }).int('must be a whole number of seconds').min(1, 'must be at least 1').max(3600, 'must be at most 3600').default(120),
  INVOICE_ACCOUNT_NAME: singleLineText(100).min(2).optional(),
  INVOICE_SORT_CODE: z.string().regex(/^\d{2}-\d{2}-\d{2}$/, 'must look like 12-34-56').optional(),
  INVOICE_ACCOUNT_NUMBER: z.string().regex(/^\d{8}$/, 'must be 8 digits').optional(),
  // Finance documents (issue 11): who issues them, when an invoice is due, and VAT.
  ORG_ADDRESS: singleLineText(500).min(5, 'must be a postal address, its lines separated by commas').optional(),
  INVOICE_TERMS_DAYS: z.coerce.number({ message: 'must be a whole number of days' }).int('must be a whole number of days').min(0, 'must be 0 (due on receipt) or more').max(120, 'must be at most 120').default(30),
  VAT_NUMBER: z
    .string()
    .transform((v) => v.replace(/\s+/g, '').toUpperCase())
    .pipe(z.string().regex(/^GB(\d{9}|\d{12}|GD\d{3}|HA\d{3})$/, 'must be a UK VAT registration number such as GB123456789'))
    .optional(),
  VAT_RATE: z.coerce.number({ message: 'must be a whole number of basis points (2000 = 20%)' }).int('must be a whole number of basis points (2000 = 20%)').min(0, 'must be 0 or more').max(10000, 'must be at most 10000 (100%)').optional(),
  TIMEZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/London').default('Europe/London'),
  // Abuse limits (web/rate-limit.ts; defaults and their reasons in README "Security").
  RATE_LIMITS: z.enum(['on', 'off'], { message: 'must be on or off' }).default('on'),
  RATE_LIMIT_BOOKINGS_PER_ADDRESS: rate('10/10m'),
  RATE_LIMIT_BOOKINGS_PER_EMAIL: rate('10/1h'),
  RATE_LIMIT_RESEND: rate('5/1h'),
  RATE_LIMIT_LINKS: rate('60/10m'),
  RATE_LIMIT_DISCOUNT_CODES: rate('10/1h'),
  MAX_OPEN_HOLDS_PER_EMAIL: holdCap(2),
  MAX_OPEN_HOLDS_PER_ADDRESS: holdCap(4),
  RATE_LIMIT_SIGN_IN_ACCOUNT_ADDRESS: rate('5/15m'),
  RATE_LIMIT_SIGN_IN_ACCOUNT: rate('20/1h'),
  RATE_LIMIT_SIGN_IN_ADDRESS: rate('20/15m'),
  RATE_LIMIT_SIGN_IN_GLOBAL: rate('100/1m'),
  HTTP_HEADERS_TIMEOUT_SECONDS: seconds(1, 300).default(20),
  HTTP_REQUEST_TIMEOUT_SECONDS: seconds(1, 3600).default(60),
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: seconds(1, 300).default(5),
  MAIL_BODY_RETENTION_DAYS: z.coerce.number({ message: 'must be a whole number of days' }).int('must be a whole number of days').min(1, 'must be at least 1').max(3650, 'must be at most 3650').default(30),
  ANNOUNCEMENTS_PER_MINUTE: z.coerce.number({ message: 'must be a whole number of emails per minute' }).int('must be a whole number of emails per minute').min(1, 'must be at least 1').max(10000, 'must be at most 10000').default(60),
  CALENDAR_ALARM_MINUTES: z.coerce.number({ message: 'must be a whole number of minutes' }).int('must be a whole number of minutes').min(0, 'must be 0 (no alarm) or more').max(10080, 'must be at most 10080 (a week)').default(60),
  RETENTION_NEEDS_MONTHS: z.coerce.number({ message: 'must be a whole number of months' }).int('must be a whole number of months').min(1, 'must be at least 1').max(120, 'must be at most 120').default(1),
  RETENTION_CONTACTS_MONTHS: z.coerce.number({ message: 'must be a whole number of months' }).int('must be a whole number of months').min(1, 'must be at least 1').max(240, 'must be at most 240').default(24),
  // HMRC: business records at least 6 years from the end of the accounting period; never less.
  RETENTION_FINANCE_YEARS: z.coerce.number({ message: 'must be a whole number of years' }).int('must be a whole number of years').min(6, 'must be at least 6 (HMRC requires 6 years)').max(50, 'must be at most 50').default(6),
  SESSION_IDLE_MINUTES: z.coerce.number({ message: 'must be a whole number of minutes' }).int('must be a whole number of minutes').min(5, 'must be at least 5').max(1440, 'must be at most 1440 (a day)').default(480),
  SESSION_MAX_HOURS: z.coerce.number({ message: 'must be a whole number of hours' }).int('must be a whole number of hours').min(1, 'must be at least 1').max(168, 'must be at most 168 (a week)').default(12),
});

export type Env = z.infer<typeof envSchema>;

/** Every variable the service reads; `.env.example` documents each (a test holds the two together). */
export const ENV_VARIABLES = Object.keys(envSchema.shape) as Array<keyof Env>;

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
  /** Whom people write to about an event that names no contact of its own (refunds, membership, bank details). */
  orgContactEmail: string;
  /** Bank details printed on pro-forma invoices; absent means "contact the treasurer". */
  bank?: { accountName: string; sortCode: string; accountNumber: string };
  timezone: string;
  /** The postal address printed on every finance document, one entry per line (`ORG_ADDRESS`, split at commas). */
  orgAddress: string[];
  /** Days from an invoice's issue date to its due date (`INVOICE_TERMS_DAYS`). */
  invoiceTermsDays: number;
  /**
   * VAT (`VAT_NUMBER`, `VAT_RATE` in basis points; prices include VAT): null when the group is not registered, and then
   * every document says that no VAT is charged.
   */
  vat: { number: string; rateBasisPoints: number } | null;
  /**
   * Staff sessions: one ends after `idleMs` without use, and in any case `maxAgeMs` after sign-in (OWASP Session
   * Management Cheat Sheet: an idle and an absolute timeout).
   */
  sessions: { idleMs: number; maxAgeMs: number };
  /** The HTTP server's limits on slow clients (web/http-server.ts), in milliseconds. */
  http: HttpTimeouts;
  /** Sent emails keep their rendered bodies (which hold manage links) this many days; then only the metadata stays. */
  mailBodyRetentionDays: number;
  /** How many announcement emails leave per minute at most (announcements/announce.ts), so a relay's limits are not hit. */
  announcementsPerMinute: number;
  /** Minutes before the start at which a calendar invitation's alarm goes off (VALARM); 0: none. */
  calendarAlarmMinutes: number;
  /**
   * How long personal data is kept (privacy/retention.ts): dietary and accessibility answers `needsMonths` after the
   * event ends; attendees' contact details `contactsMonths` after it; finance records `financeYears` after the end of
   * the financial year (April to March) of the event.
   */
  retention: { needsMonths: number; contactsMonths: number; financeYears: number };
  /** What is allowed but worth a person's attention (NODE_ENV unset, …): the server logs each as a security event at boot. */
  warnings: readonly ConfigWarning[];
  limits: Limits;
}

export interface HttpTimeouts {
  /** Time to receive a request's headers (Node's `server.headersTimeout`). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body (Node's `server.requestTimeout`); a slower client gets 408. */
  requestTimeoutMs: number;
  /** How long an idle kept-alive connection stays open (Node's `server.keepAliveTimeout`). */
  keepAliveTimeoutMs: number;
}

export interface ConfigWarning {
  variable: string;
  message: string;
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
  /** Discount codes refused (unknown, expired, used up, wrong ticket) per client address: guessing codes (bookings/discounts.ts). */
  discountCodes: LimitSpec;
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

/** The session secret used when none is set, outside production only. Production refuses it by name. */
export const DEVELOPMENT_SESSION_SECRET = 'development-only-session-secret-change-me';

/** Secrets that have been printed in this project's documentation or tests: public, so never a production secret. */
const PUBLISHED_SECRETS = new Set([DEVELOPMENT_SESSION_SECRET, 'test-secret-that-is-at-least-32-characters-long', 'multi-instance-test-secret-of-at-least-32-characters']);

/** The least estimated strength of a production SESSION_SECRET, in bits (NIST SP 800-131A: 128-bit security for keys). */
export const MIN_SECRET_BITS = 128;

/**
 * A rough estimate of a secret's strength in bits: its length times the Shannon entropy of its own characters
 * (−Σ p·log₂ p over the characters it uses). 32 × "a" scores 0, a repeated pattern scores little, 32 random bytes in
 * base64url (43 characters) score about 200, and 64 hex digits about 250; 32 hex digits fall just short (about 115).
 * It catches repeated and patterned secrets; it cannot tell a phrase someone chose from a random string.
 */
export function estimateSecretBits(secret: string): number {
  const counts = new Map<string, number>();
  for (const ch of secret) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const length = [...secret].length;
  let perChar = 0;
  for (const n of counts.values()) perChar -= (n / length) * Math.log2(n / length);
  return Math.round(perChar * length);
}

const GENERATE_SECRET = 'generate one with: node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64url\'))"';

/** A hostname that only this machine can reach: localhost, 127.0.0.0/8 or ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1';
}

/**
 * What production cannot run with; checked on the raw values so they are reported with any other problem.
 * Missing keys; the development or a published SESSION_SECRET, or one estimated below MIN_SECRET_BITS; a PUBLIC_URL
 * on http: other than loopback (staff cookies would not be Secure, and no HSTS could be sent; OWASP ASVS V9.1.1).
 */
function productionProblems(env: Record<string, string>): string[] {
  if (env.NODE_ENV !== 'production') return [];
  const problems = (['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'SESSION_SECRET', 'PUBLIC_URL'] as const)
    .filter((name) => !env[name])
    .map((name) => `${name}: required in production`);
  const secret = env.SESSION_SECRET;
  if (secret && PUBLISHED_SECRETS.has(secret)) problems.push(`SESSION_SECRET: is a published example value and cannot be used in production; ${GENERATE_SECRET}`);
  else if (secret && estimateSecretBits(secret) < MIN_SECRET_BITS) {
    problems.push(`SESSION_SECRET: too predictable for production (about ${estimateSecretBits(secret)} bits estimated, at least ${MIN_SECRET_BITS} needed); ${GENERATE_SECRET}`);
  }
  const publicUrl = env.PUBLIC_URL && URL.canParse(env.PUBLIC_URL) ? new URL(env.PUBLIC_URL) : undefined;
  if (publicUrl?.protocol === 'http:' && !isLoopbackHost(publicUrl.hostname)) problems.push('PUBLIC_URL: must be https:// in production (http:// is allowed only for a loopback address such as http://127.0.0.1:3000)');
  return problems;
}

function timeoutProblems(env: Env): string[] {
  return env.HTTP_HEADERS_TIMEOUT_SECONDS > env.HTTP_REQUEST_TIMEOUT_SECONDS ? ['HTTP_HEADERS_TIMEOUT_SECONDS: must not be longer than HTTP_REQUEST_TIMEOUT_SECONDS'] : [];
}

/** VAT can be charged only under a VAT registration number. */
function vatProblems(env: Env): string[] {
  return env.VAT_RATE !== undefined && env.VAT_RATE > 0 && !env.VAT_NUMBER ? ['VAT_RATE: set VAT_NUMBER too; without a VAT registration number no VAT may be charged'] : [];
}

/** Allowed, but a person should know: logged by the server at boot as `config_warning` security events. */
function configWarnings(raw: Record<string, string>, env: Env, publicUrl: string): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  if (!raw.NODE_ENV) {
    warnings.push({
      variable: 'NODE_ENV',
      message: 'NODE_ENV is not set, so the service runs as development: the production checks are off, demo events load into an empty database, and without STRIPE_SECRET_KEY the local payments sandbox takes test payments. On a server, set NODE_ENV=production.',
    });
  }
  if (env.NODE_ENV === 'production' && publicUrl.startsWith('http:')) {
    warnings.push({ variable: 'PUBLIC_URL', message: `PUBLIC_URL is ${publicUrl} (loopback, plain http): staff cookies are not Secure and no HSTS header is sent. Use https:// for anything people reach over a network.` });
  }
  return warnings;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const raw = withoutBlanks(source);
  const parsed = envSchema.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  problems.push(...productionProblems(raw));
  const databaseProblem = databaseUrlProblem(raw.DATABASE_URL);
  if (databaseProblem) problems.push(databaseProblem);
  if (parsed.success) problems.push(...timeoutProblems(parsed.data), ...vatProblems(parsed.data));
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  const env = parsed.data;
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, '');

  return Object.freeze({
    env: env.NODE_ENV,
    port: env.PORT,
    publicUrl,
    database: parseDatabaseUrl(env.DATABASE_URL),
    sessionSecret: env.SESSION_SECRET ?? DEVELOPMENT_SESSION_SECRET,
    stripe: { secretKey: env.STRIPE_SECRET_KEY, webhookSecret: env.STRIPE_WEBHOOK_SECRET, apiBase: env.STRIPE_API_BASE },
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, dir: env.MAIL_DIR },
    holdMinutes: env.HOLD_MINUTES,
    outboxLeaseSeconds: env.OUTBOX_LEASE_SECONDS,
    trustProxy: /^\d+$/.test(env.TRUST_PROXY) ? Number(env.TRUST_PROXY) : env.TRUST_PROXY === 'true' ? true : env.TRUST_PROXY === 'false' ? false : env.TRUST_PROXY,
    orgName: env.ORG_NAME,
    orgContactEmail: env.ORG_CONTACT_EMAIL,
    bank:
      env.INVOICE_ACCOUNT_NAME && env.INVOICE_SORT_CODE && env.INVOICE_ACCOUNT_NUMBER
        ? { accountName: env.INVOICE_ACCOUNT_NAME, sortCode: env.INVOICE_SORT_CODE, accountNumber: env.INVOICE_ACCOUNT_NUMBER }
        : undefined,
    timezone: env.TIMEZONE,
    orgAddress: env.ORG_ADDRESS ? env.ORG_ADDRESS.split(',').map((line) => line.trim()).filter(Boolean) : [],
    invoiceTermsDays: env.INVOICE_TERMS_DAYS,
    // With a number and no rate, the UK standard rate (20%).
    vat: env.VAT_NUMBER ? { number: env.VAT_NUMBER, rateBasisPoints: env.VAT_RATE ?? 2000 } : null,
    limits: {
      enabled: env.RATE_LIMITS === 'on',
      bookingsPerAddress: env.RATE_LIMIT_BOOKINGS_PER_ADDRESS,
      bookingsPerEmail: env.RATE_LIMIT_BOOKINGS_PER_EMAIL,
      resend: env.RATE_LIMIT_RESEND,
      links: env.RATE_LIMIT_LINKS,
      discountCodes: env.RATE_LIMIT_DISCOUNT_CODES,
      holdsPerEmail: env.MAX_OPEN_HOLDS_PER_EMAIL,
      holdsPerAddress: env.MAX_OPEN_HOLDS_PER_ADDRESS,
      signIn: {
        accountAddress: env.RATE_LIMIT_SIGN_IN_ACCOUNT_ADDRESS,
        account: env.RATE_LIMIT_SIGN_IN_ACCOUNT,
        address: env.RATE_LIMIT_SIGN_IN_ADDRESS,
        global: env.RATE_LIMIT_SIGN_IN_GLOBAL,
      },
    },
    http: {
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_SECONDS * 1000,
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
      keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
    },
    mailBodyRetentionDays: env.MAIL_BODY_RETENTION_DAYS,
    announcementsPerMinute: env.ANNOUNCEMENTS_PER_MINUTE,
    calendarAlarmMinutes: env.CALENDAR_ALARM_MINUTES,
    retention: { needsMonths: env.RETENTION_NEEDS_MONTHS, contactsMonths: env.RETENTION_CONTACTS_MONTHS, financeYears: env.RETENTION_FINANCE_YEARS },
    warnings: Object.freeze(configWarnings(raw, env, publicUrl)),
    sessions: { idleMs: env.SESSION_IDLE_MINUTES * 60_000, maxAgeMs: env.SESSION_MAX_HOURS * 3600_000 },
  });
}
