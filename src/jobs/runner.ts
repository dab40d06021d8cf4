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

export function wireSignals(signals: EventEmitter, runner: JobRunner): void {
  signals.on('outbox', () => runner.trigger('outbox'));
}
