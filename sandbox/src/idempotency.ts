/** A response kept under its Idempotency-Key, replayed for retries with the same params. */
export interface SavedResponse {
  fingerprint: string;
  status: number;
  body: unknown;
  requestId: string;
}

export class IdempotencyStore {
  private saved = new Map<string, SavedResponse>();

  get(key: string): SavedResponse | undefined {
    return this.saved.get(key);
  }

  save(key: string, response: SavedResponse): void {
    this.saved.set(key, response);
  }

  clear(): void {
    this.saved.clear();
  }
}

/** Method, path and params with keys sorted, so param order doesn't matter. */
export function fingerprintRequest(method: string, path: string, params: unknown): string {
  return JSON.stringify([method, path, sortKeys(params)]);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(record).sort().map((key) => [key, sortKeys(record[key])]));
}
