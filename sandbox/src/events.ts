import type { SandboxContext } from './context';
import { NO_ORIGIN, type EventOrigin, nowSeconds } from './context';
import { fromFixture, type SandboxEvent } from './fixtures';
import { newId } from './ids';

/** The version the stripe@23 SDK pins; events say which version shaped their object. */
export const API_VERSION = '2026-10-28.endive';

/** Records an event with a snapshot of the object as it is now, and hands it to delivery. */
export function emitEvent(
  ctx: SandboxContext,
  type: string,
  object: object,
  origin: EventOrigin = NO_ORIGIN,
  previousAttributes?: Record<string, unknown>,
): SandboxEvent {
  const event = fromFixture('event');
  event.id = newId('evt');
  event.api_version = API_VERSION;
  event.created = nowSeconds(ctx);
  event.data = { object: structuredClone(object) };
  if (previousAttributes) event.data.previous_attributes = previousAttributes;
  event.pending_webhooks = ctx.webhooks.hasEndpoint() ? 1 : 0;
  event.request = { ...origin };
  event.type = type;
  ctx.store.events.set(event.id, event);
  ctx.webhooks.publish(event);
  return event;
}
