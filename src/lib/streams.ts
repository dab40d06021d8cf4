import type { Writable } from 'node:stream';

/** The client closed the connection before its download was finished (tab closed, download cancelled, timed out). */
export class ClientGoneError extends Error {
  readonly code = 'client_gone';

  constructor() {
    super('The client closed the connection before the download finished.');
  }
}

/** What a write to, or a pipeline into, a response the client has closed fails with. */
const CLOSED_CODES = new Set(['client_gone', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED', 'ECONNRESET', 'EPIPE']);

/**
 * Backpressure for a download written a batch at a time: resolves at once while `out` has room, or when it
 * has drained; rejects with ClientGoneError once it has been closed, so the caller stops reading batches.
 */
export function whenWritable(out: Writable): Promise<void> {
  if (out.destroyed || out.writableEnded) return Promise.reject(new ClientGoneError());
  if (!out.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (gone: boolean) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      if (gone) reject(new ClientGoneError());
      else resolve();
    };
    const onDrain = () => settle(false);
    const onClose = () => settle(true);
    out.on('drain', onDrain);
    out.on('close', onClose);
  });
}

/** Rejects with ClientGoneError if `out` is closed before it has finished; never settles otherwise. */
export function closedEarly(out: Writable): Promise<never> {
  return new Promise((_resolve, reject) => {
    const onClose = () => {
      if (!out.writableFinished) reject(new ClientGoneError());
    };
    if (out.destroyed) onClose();
    else out.once('close', onClose);
  });
}

/**
 * Whether a download failed only because the client went away: the response was closed before it finished,
 * with one of the errors that a closed connection causes. That is normal, not ours to log or answer.
 */
export function isClientDisconnect(error: unknown, out: Writable): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return out.destroyed && !out.writableFinished && typeof code === 'string' && CLOSED_CODES.has(code);
}

/**
 * A download as text, a batch at a time, for `Readable.from`: `head` with the first batch (alone if there is
 * none), `encode(batch, first)` for each, then `tail`. Reads the next batch only when the stream asks for it.
 *
 * Written as an iterator rather than an async generator on purpose: a suspended generator keeps its locals,
 * so the last batch stayed in memory for as long as the client took to read its text, long enough to be
 * promoted to the old generation. Here a batch lives only inside the call that encodes it.
 */
export function encodeBatches<T>(source: AsyncIterable<T>, parts: { head?: string; encode: (batch: T, first: boolean) => string; tail?: string }): AsyncIterable<string> {
  const { head = '', encode, tail = '' } = parts;
  return {
    [Symbol.asyncIterator]() {
      const batches = source[Symbol.asyncIterator]();
      let stage: 'first' | 'more' | 'tail' | 'done' = 'first';
      const end = { done: true, value: undefined } as const;
      return {
        async next() {
          if (stage === 'done') return end;
          if (stage === 'tail') {
            stage = 'done';
            return tail ? { done: false, value: tail } : end;
          }
          const next = await batches.next();
          const first = stage === 'first';
          if (next.done) {
            stage = 'done';
            const text = (first ? head : '') + tail;
            return text ? { done: false, value: text } : end;
          }
          stage = 'more';
          return { done: false, value: first ? head + encode(next.value, true) : encode(next.value, false) };
        },
        async return() {
          stage = 'done';
          await batches.return?.();
          return end;
        },
      };
    },
  };
}
