import { z } from 'zod';
import { isTimeZone } from './lib/time';

const port = z.coerce.number({ message: 'must be a port number from 0 to 65535' }).int('must be a port number from 0 to 65535').min(0, 'must be a port number from 0 to 65535').max(65535, 'must be a port number from 0 to 65535');
const url = z.url({ protocol: /^https?$/ });

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
  SESSION_IDLE_MINUTES: z.coerce.number({ message: 'must be a whole number of minutes' }).int('must be a whole number of minutes').min(5, 'must be at least 5').max(1440, 'must be at most 1440 (a day)').default(480),
  SESSION_MAX_HOURS: z.coerce.number({ message: 'must be a whole number of hours' }).int('must be a whole number of hours').min(1, 'must be at least 1').max(168, 'must be at most 168 (a week)').default(12),
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
  /**
   * Staff sessions: one ends after `idleMs` without use, and in any case `maxAgeMs` after sign-in (OWASP Session
   * Management Cheat Sheet: an idle and an absolute timeout).
   */
  sessions: { idleMs: number; maxAgeMs: number };
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
    sessions: { idleMs: env.SESSION_IDLE_MINUTES * 60_000, maxAgeMs: env.SESSION_MAX_HOURS * 3600_000 },
  });
}
