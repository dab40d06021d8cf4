/**
 * The abuse limits count in wall-clock time (rate-limiter-flexible reads `Date.now()`), not the app's injected clock.
 * To see a limit's window pass, a test moves `Date` alone forward: timers, `setImmediate` and the event loop run as
 * usual, so the database drivers and supertest are untouched.
 */
export async function laterByWallClock<T>(ms: number, work: () => Promise<T>): Promise<T> {
  jest.useFakeTimers({
    now: Date.now() + ms,
    advanceTimers: true,
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });
  try {
    return await work();
  } finally {
    jest.useRealTimers();
  }
}
