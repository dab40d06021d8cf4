import type { Knex } from 'knex';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimitSpec } from '../config';
import { AppError } from '../lib/errors';
import { errorFields, type Logger } from '../lib/logger';
import { isPostgres } from './connect';

/** rate-limiter-flexible's table, created by migrations/202612010900_rate_limits.ts. */
export const RATE_LIMIT_TABLE = 'rate_limits';

/** What a limiter says about one more request: let it through (until when its window lasts), or wait this long. */
export type Decision = { allowed: true; windowEndsAt: number } | { allowed: false; retryAfterSeconds: number };

/**
 * What to do when the store fails (a database fault; the limiter cannot count). Either way the fault is logged.
 * - `count-in-memory`: count in this instance's memory instead, with the same limit (fail soft: the bookings, where
 *   refusing everyone would be worse than counting per instance for a while);
 * - `refuse`: answer 503 `limits_unavailable` (fail closed: sign-in, where letting unlimited guesses through is worse
 *   than a minute without sign-in).
 */
export type OnStoreFailure = 'count-in-memory' | 'refuse';

export interface Limiter {
  readonly name: string;
  readonly spec: LimitSpec;
  /**
   * Counts one request for `key` (already a pseudonym: lib/client-key.ts) and says whether it may go ahead. Atomic: a
   * single `INSERT … ON CONFLICT DO UPDATE … RETURNING` in the database, so parallel requests are each counted, on
   * every instance. Fixed window: it starts at the key's first request and lasts `spec.durationSeconds`.
   * Throws 503 `limits_unavailable` only under `refuse` when the store fails. Never call it inside a transaction on
   * SQLite: it takes the pool's one connection, which the transaction holds (a deadlock until the acquire timeout).
   */
  consume(key: string, context?: object): Promise<Decision>;
  /** Gives back the request counted by `decision` (a success, or one not served), unless its window has ended. Never throws. */
  refund(key: string, decision: Decision): Promise<void>;
  /** Forgets the key (a success resets the count). Never throws. */
  reset(key: string): Promise<void>;
}

function storeFor(db: Knex, name: string, spec: LimitSpec): RateLimiterAbstract {
  const options = {
    storeClient: db,
    storeType: 'knex',
    tableName: RATE_LIMIT_TABLE,
    tableCreated: true,
    // Expired rows are deleted by our own job (purgeExpiredLimits), not by a timer in every limiter.
    clearExpiredByTimeout: false,
    keyPrefix: name,
    points: spec.points,
    duration: spec.durationSeconds,
  };
  return isPostgres(db) ? new RateLimiterPostgres(options) : new RateLimiterSQLite(options);
}

const retryAfter = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/**
 * A named limit (`spec.points` requests per `spec.durationSeconds` per key) counted in the database shared by every
 * instance, through rate-limiter-flexible's SQLite or PostgreSQL store on the app's own knex connection.
 */
export function createLimiter(db: Knex, options: { name: string; spec: LimitSpec; logger: Logger; onStoreFailure: OnStoreFailure }): Limiter {
  const { name, spec, logger, onStoreFailure } = options;
  const store = storeFor(db, name, spec);
  const memory = new RateLimiterMemory({ keyPrefix: name, points: spec.points, duration: spec.durationSeconds });

  async function count(limiter: RateLimiterAbstract, key: string): Promise<Decision> {
    try {
      const res = await limiter.consume(key);
      return { allowed: true, windowEndsAt: Date.now() + res.msBeforeNext };
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: retryAfter(outcome) };
      throw outcome;
    }
  }

  return {
    name,
    spec,
    async consume(key, context = {}) {
      try {
        return await count(store, key);
      } catch (error) {
        logger.error('rate limit store failed', { ...context, limit: name, onStoreFailure, ...errorFields(error) });
        if (onStoreFailure === 'refuse') throw new AppError('limits_unavailable', 'This could not be checked just now, so it was not done. Please try again in a minute.');
        return count(memory, key);
      }
    },
    async refund(key, decision) {
      // A window that has ended (or is about to) starts again from nothing: a refund there would be a free request.
      if (!decision.allowed || decision.windowEndsAt - Date.now() < 1000) return;
      try {
        await store.reward(key, 1);
      } catch (error) {
        logger.warn('rate limit refund failed', { limit: name, ...errorFields(error) });
      }
    },
    async reset(key) {
      try {
        await store.delete(key);
      } catch (error) {
        logger.warn('rate limit reset failed', { limit: name, ...errorFields(error) });
      }
    },
  };
}

/** A limiter that lets everything through (RATE_LIMITS=off). */
export function unlimited(name: string, spec: LimitSpec): Limiter {
  return {
    name,
    spec,
    consume: async () => ({ allowed: true, windowEndsAt: Date.now() + spec.durationSeconds * 1000 }),
    refund: async () => undefined,
    reset: async () => undefined,
  };
}

/** Deletes the counts whose window has ended (they are ignored already; this keeps the table small). Returns how many. */
export async function purgeExpiredLimits(db: Knex, nowMs = Date.now()): Promise<number> {
  return db(RATE_LIMIT_TABLE).where('expire', '<', nowMs).delete();
}
