/** Injected API failures for tests of the app's error handling. The hosted page is never affected. */
export class Faults {
  private queued: number[] = [];
  isDown = false;

  /** The next `count` API requests answer `status` with Stripe's `api_error` body. */
  failNext(count: number, status: number): void {
    if (!Number.isInteger(count) || count < 0) throw new Error('count must be a non-negative integer');
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new Error('status must be an HTTP error status');
    for (let i = 0; i < count; i++) this.queued.push(status);
  }

  takeFailure(): number | undefined {
    return this.queued.shift();
  }

  reset(): void {
    this.queued = [];
    this.isDown = false;
  }
}
