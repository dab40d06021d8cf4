import type { EventEmitter } from 'node:events';
import type { Logger } from '../lib/logger';

export interface Job {
  name: string;
  intervalMs: number;
  /** The signal is aborted when the runner stops: a long run should finish its current item and return. */
  run(signal: AbortSignal): Promise<unknown>;
}

export interface JobRunner {
  /** Runs a job now (coalescing with a run already under way). */
  trigger(name: string): void;
  stop(): Promise<void>;
}

/** Runs each job on its interval, never two runs of the same job at once in this process. */
export function startJobs(jobs: Job[], logger: Logger): JobRunner {
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  const stopping = new AbortController();

  const run = (job: Job) => {
    if (stopped) return;
    if (running.has(job.name)) {
      again.add(job.name);
      return;
    }
    const done = job
      .run(stopping.signal)
      .catch((error) => logger.error(`job ${job.name} failed`, { error: error instanceof Error ? error.message : String(error) }))
      .then(() => {
        running.delete(job.name);
        if (again.delete(job.name)) run(job);
      });
    running.set(job.name, done);
  };

  for (const job of jobs) {
    timers.push(setInterval(() => run(job), job.intervalMs));
    run(job);
  }
  return {
    trigger(name) {
      const job = jobs.find((j) => j.name === name);
      if (job) run(job);
    },
    async stop() {
      stopped = true;
      stopping.abort();
      timers.forEach(clearInterval);
      await Promise.all(running.values());
    },
  };
}

export interface SignalOptions {
  /** A burst of Stripe webhooks (a checkout sends several) leads to one sync this long after the last of them. */
  stripeSyncQuietMs?: number;
  /** …but never later than this after the first, so a steady stream of webhooks still gets synced. */
  stripeSyncMaxWaitMs?: number;
}

/**
 * Calls `fire` once things have been quiet for `quietMs`, or `maxWaitMs` after the first call of a burst, whichever
 * comes first (lodash's debounce with maxWait, trailing edge only). Timers are unref'd: a pending call never keeps the
 * process alive.
 */
export function debounce(fire: () => void, quietMs: number, maxWaitMs: number): { call(): void; cancel(): void } {
  let timer: NodeJS.Timeout | null = null;
  let firstAt: number | null = null;
  const flush = () => {
    timer = null;
    firstAt = null;
    fire();
  };
  return {
    call() {
      const now = Date.now();
      firstAt ??= now;
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, Math.max(0, Math.min(quietMs, firstAt + maxWaitMs - now)));
      timer.unref();
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
      firstAt = null;
    },
  };
}

/** Signals from the app to the jobs: "outbox" runs the sender at once; "stripe-sync" runs the sync, debounced. */
export function wireSignals(signals: EventEmitter, runner: JobRunner, options: SignalOptions = {}): void {
  signals.on('outbox', () => runner.trigger('outbox'));
  const sync = debounce(() => runner.trigger('stripe-sync'), options.stripeSyncQuietMs ?? 5_000, options.stripeSyncMaxWaitMs ?? 60_000);
  signals.on('stripe-sync', () => sync.call());
}
