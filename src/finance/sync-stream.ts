import type { Knex } from 'knex';
import { writeTransaction } from '../db/dialect';
import { finishRun, readStreamState, saveRunProgress, type SyncStream } from './sync-queries';

/** Stripe's lists are newest first; a little overlap re-reads objects created in the cursor's own second and any listed late. */
export const CURSOR_OVERLAP_SECONDS = 300;

export interface ListParams {
  limit: number;
  created?: { gte?: number; lte?: number };
}

export interface StreamSpec<T> {
  name: SyncStream;
  /** The SDK's list call; iterating it auto-paginates. */
  list(params: ListParams): AsyncIterable<T>;
  createdOf(item: T): number;
  store(trx: Knex.Transaction, items: T[]): Promise<void>;
}

export interface StreamOptions {
  pageSize: number;
  now(): Date;
  /** Runs before each page is stored (the lease is renewed here). */
  beforePage?(): Promise<void>;
  /** Runs after each page is stored: progress for the CLI, and a seam for tests that interrupt a sync. */
  afterPage?(page: { stream: SyncStream | 'payout_lines'; count: number }): Promise<void> | void;
}

const unix = (date: Date) => Math.floor(date.getTime() / 1000);
const fromUnix = (seconds: number) => new Date(seconds * 1000);

/**
 * Pulls one Stripe list incrementally. Because the list runs newest to oldest, the cursor can only move
 * once the run reaches the end; until then each stored page records, in its own transaction, how far
 * down the run got, so an interrupted run resumes below the last stored page instead of starting over.
 * Upserts make any re-read harmless.
 */
export async function syncStream<T>(db: Knex, spec: StreamSpec<T>, options: StreamOptions): Promise<number> {
  const state = await readStreamState(db, spec.name);
  const created: ListParams['created'] = {};
  if (state.cursor) created.gte = unix(state.cursor) - CURSOR_OVERLAP_SECONDS;
  if (state.runOldest) created.lte = unix(state.runOldest);
  let newest = state.runNewest ? unix(state.runNewest) : null;
  let buffer: T[] = [];
  let stored = 0;

  const storePage = async () => {
    if (buffer.length === 0) return;
    const page = buffer;
    buffer = [];
    const times = page.map(spec.createdOf);
    newest = Math.max(newest ?? 0, ...times);
    const oldest = Math.min(...times);
    await options.beforePage?.();
    await writeTransaction(db, async (trx) => {
      await spec.store(trx, page);
      await saveRunProgress(trx, spec.name, fromUnix(newest!), fromUnix(oldest));
    });
    stored += page.length;
    await options.afterPage?.({ stream: spec.name, count: page.length });
  };

  for await (const item of spec.list({ limit: options.pageSize, ...(created.gte !== undefined || created.lte !== undefined ? { created } : {}) })) {
    buffer.push(item);
    if (buffer.length >= options.pageSize) await storePage();
  }
  await storePage();
  const cursor = newest === null ? state.cursor : fromUnix(Math.max(newest, state.cursor ? unix(state.cursor) : 0));
  await writeTransaction(db, (trx) => finishRun(trx, spec.name, cursor, options.now()));
  return stored;
}
