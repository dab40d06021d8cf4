import { textOf } from './html';

/**
 * What the service promises about places left (README, "Public interfaces"): whatever changes them — a booking, a
 * cancellation, a hold lapsing, an edit, on any instance — shows on the list and the event page within this time.
 */
export const PROMISED_MS = 2000;

async function get(baseUrl: string, path: string): Promise<string> {
  const res = await fetch(`${baseUrl}${path}`);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
  return res.text();
}

function placesIn(text: string, where: string): number {
  if (/Full — join the waitlist/.test(text)) return 0;
  const match = /(\d+) places? left/.exec(text);
  if (!match) throw new Error(`no places left shown on ${where}: ${text.slice(0, 300)}`);
  return Number(match[1]);
}

/** Places left as `GET /api/v1/events` gives them. */
export async function placesInList(baseUrl: string, slug: string): Promise<number> {
  const { events } = JSON.parse(await get(baseUrl, '/api/v1/events')) as { events: Array<{ slug: string; remaining: number }> };
  const event = events.find((e) => e.slug === slug);
  if (!event) throw new Error(`${slug} is not listed`);
  return event.remaining;
}

/** Places left as the event's page says them ("7 places left of 10"). */
export async function placesOnPage(baseUrl: string, slug: string): Promise<number> {
  return placesIn(textOf(await get(baseUrl, `/events/${slug}`)), `/events/${slug}`);
}

/** Places left on the event's card on the home page. */
export async function placesOnHome(baseUrl: string, slug: string): Promise<number> {
  const card = new RegExp(`<li class="event-card[^"]*">(?:(?!</li>)[\\s\\S])*?href="/events/${slug}"[\\s\\S]*?</li>`).exec(await get(baseUrl, '/'));
  if (!card) throw new Error(`${slug} has no card on the home page`);
  return placesIn(textOf(card[0]), `the home page card of ${slug}`);
}

/** Places left if the list, the event page and the home page card agree; -1 (which no test waits for) if not. */
export async function placesEverywhere(baseUrl: string, slug: string): Promise<number> {
  const [list, page, home] = await Promise.all([placesInList(baseUrl, slug), placesOnPage(baseUrl, slug), placesOnHome(baseUrl, slug)]);
  return list === page && page === home ? list : -1;
}

/** A free registration over the API; fails unless it is confirmed. Returns what its holder needs to cancel it. */
export async function registerFree(baseUrl: string, slug: string, body: object): Promise<{ reference: string; token: string }> {
  const res = await fetch(`${baseUrl}/api/v1/events/${slug}/bookings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await res.json()) as { booking?: { reference: string; status: string; manageUrl: string } };
  if (res.status !== 201 || answer.booking?.status !== 'confirmed') throw new Error(`registration: ${res.status} ${JSON.stringify(answer)}`);
  return { reference: answer.booking.reference, token: new URL(answer.booking.manageUrl).searchParams.get('token')! };
}

/** Cancels a booking as its holder, over the API. */
export async function cancelAsHolder(baseUrl: string, booking: { reference: string; token: string }): Promise<void> {
  const res = await fetch(`${baseUrl}/api/v1/bookings/${booking.reference}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${booking.token}` } });
  if (res.status !== 200) throw new Error(`cancellation: ${res.status} ${await res.text()}`);
}

/**
 * Reads until `read` gives `expected` and returns how long after `since` (a Date.now()) it first did, counting
 * the read itself. Gives up, failing, after `timeoutMs`.
 */
export async function msUntil(read: () => Promise<number>, expected: number, since: number, timeoutMs = 15_000): Promise<number> {
  for (;;) {
    const value = await read();
    const elapsed = Date.now() - since;
    if (value === expected) return elapsed;
    if (elapsed > timeoutMs) throw new Error(`still ${value} places, not ${expected}, after ${elapsed} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until a new event is on the list: until then its page is read from the database and its list entry is missing. */
export async function whenListed(baseUrl: string, slug: string, timeoutMs = 15_000): Promise<void> {
  const isListed = async () => {
    const { events } = JSON.parse(await get(baseUrl, '/api/v1/events')) as { events: Array<{ slug: string }> };
    return events.some((e) => e.slug === slug) ? 1 : 0;
  };
  await msUntil(isListed, 1, Date.now(), timeoutMs);
}
