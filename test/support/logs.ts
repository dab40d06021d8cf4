import { createLogger, type Logger } from '../../src/lib/logger';

export interface CapturedLogs {
  /** The service's real logger (pino, with its redaction), writing into `lines`. */
  logger: Logger;
  /** Every line as written: what an operator's log store would hold. */
  lines: string[];
  /** The lines parsed, one object each. */
  parsed(): Array<Record<string, unknown>>;
  /** The security events of one kind (`security` field), parsed. */
  events(kind: string): Array<Record<string, unknown>>;
}

export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  const logger = createLogger({ destination: { write: (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)) } });
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, parsed, events: (kind) => parsed().filter((line) => line.security === kind) };
}
