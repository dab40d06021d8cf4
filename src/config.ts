import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
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
  HOLD_MINUTES: z.coerce.number().int().min(30, 'must be at least 30 (Stripe Checkout minimum)').max(1440).default(30),
  ORG_NAME: z.string().min(1).default('Health Statistics User Group'),
  TIMEZONE: z.string().refine(isValidZone, 'must be an IANA time zone such as Europe/London').default('Europe/London'),
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
  orgName: string;
  timezone: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Treat empty strings as unset, as `.env` files and shells often leave them. */
function withoutBlanks(source: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(source).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== ''));
}

export function parseDatabaseUrl(value: string | undefined): Config['database'] {
  if (!value) return { client: 'sqlite', filename: 'var/hsug.sqlite' };
  if (/^postgres(ql)?:\/\//.test(value)) return { client: 'pg', connectionString: value };
  return { client: 'sqlite', filename: value.replace(/^file:/, '') };
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(withoutBlanks(source));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const env = parsed.data;
  const problems: string[] = [];
  if (env.NODE_ENV === 'production') {
    if (!env.STRIPE_SECRET_KEY) problems.push('STRIPE_SECRET_KEY: required in production');
    if (!env.STRIPE_WEBHOOK_SECRET) problems.push('STRIPE_WEBHOOK_SECRET: required in production');
    if (!env.SESSION_SECRET) problems.push('SESSION_SECRET: required in production');
    if (!env.PUBLIC_URL) problems.push('PUBLIC_URL: required in production');
  }
  if (env.DATABASE_URL && /^[a-z]+:\/\//.test(env.DATABASE_URL) && !/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) {
    problems.push('DATABASE_URL: must be a SQLite path (file:PATH or PATH) or a postgres:// URL');
  }
  if (problems.length) throw new ConfigError(problems);

  return Object.freeze({
    env: env.NODE_ENV,
    port: env.PORT,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
    database: parseDatabaseUrl(env.DATABASE_URL),
    sessionSecret: env.SESSION_SECRET ?? 'development-only-session-secret-change-me',
    stripe: { secretKey: env.STRIPE_SECRET_KEY, webhookSecret: env.STRIPE_WEBHOOK_SECRET, apiBase: env.STRIPE_API_BASE },
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, dir: env.MAIL_DIR },
    holdMinutes: env.HOLD_MINUTES,
    orgName: env.ORG_NAME,
    timezone: env.TIMEZONE,
  });
}
