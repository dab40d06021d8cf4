import pino from 'pino';

/**
 * The service's logger: JSON lines with a level, a message and context fields (request or job id, booking id …).
 * It rides on the service context like the clock, so tests can capture what was logged.
 */
export interface Logger {
  info(msg: string, extra?: object): void;
  warn(msg: string, extra?: object): void;
  error(msg: string, extra?: object): void;
}

/**
 * Fields that must never reach a log, at the top of `extra` or up to two levels down (`{ user: { password } }`,
 * `{ req: { headers: { authorization } } }`). They are written as "[redacted]" instead, so a careless call still
 * shows that the field was there. A secret inside another value (a URL's query) is not caught here: log URLs
 * through lib/redact.ts.
 */
const SECRET_FIELDS = [
  'password', 'passwordHash', 'newPassword', 'currentPassword', 'token', 'manageToken', 'apiToken', 'csrfToken', '_csrf',
  'authorization', 'cookie', 'set-cookie', 'secret', 'sessionSecret', 'secretKey', 'webhookSecret', 'totp', 'otp', 'recoveryCode',
];

/** pino's redaction paths for each field at depth 0, 1 and 2; names that are not identifiers use bracket syntax. */
function redactPaths(fields: string[]): string[] {
  return fields.flatMap((field) => {
    const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
    const nested = key.startsWith('[') ? key : `.${key}`;
    return [key, `*${nested}`, `*.*${nested}`];
  });
}

export interface LoggerOptions {
  /** A file descriptor (1 = stdout, the default; 2 = stderr) or anything with `write(line)`, such as a test's buffer. */
  destination?: number | pino.DestinationStream;
  /** The lowest level written (default `info`). */
  level?: 'info' | 'warn' | 'error' | 'silent';
}

/**
 * A pino logger behind the Logger interface. Each line is one JSON object:
 * `{"level":"error","time":"2026-03-02T12:00:00.000Z","msg":"…", …extra}`. The level is written as its name,
 * as the log scrapers (and the bench, which counts `"level":"error"`) expect. Writes are synchronous, so the
 * last line before `process.exit` is not lost.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const { destination = 1, level = 'info' } = options;
  const stream = typeof destination === 'number' ? pino.destination({ dest: destination, sync: true }) : destination;
  const base = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactPaths(SECRET_FIELDS), censor: '[redacted]' },
    },
    stream,
  );
  return {
    info: (msg, extra) => base.info(extra ?? {}, msg),
    warn: (msg, extra) => base.warn(extra ?? {}, msg),
    error: (msg, extra) => base.error(extra ?? {}, msg),
  };
}

/** The process's logger on stdout, for code that is not handed one (createApp's default). */
export const consoleLogger: Logger = createLogger();

/** The message and stack of anything thrown, for a log line. */
export function errorFields(error: unknown): { error: string; stack?: string } {
  return error instanceof Error ? { error: error.message, stack: error.stack } : { error: String(error) };
}
