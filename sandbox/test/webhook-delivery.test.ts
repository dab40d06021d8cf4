import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { signatureHeader } from '../src';
import { startTestSandbox, stripeFor, TICKET_SESSION, useSandbox, WEBHOOK_SECRET } from './helpers';

describe('payments sandbox: webhook signing and delivery control', () => {
  const box = useSandbox({ webhooks: true, per: 'test' });

  async function paySession(): Promise<string> {
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);
    box.sandbox.pay(session.id);
    return session.id;
  }

  test('when an event is delivered, then Stripe-Signature is t=…,v1=HMAC-SHA256 of "t.payload" and the SDK accepts it', async () => {
    await paySession();
    await box.sandbox.flush();

    const [{ rawBody, signature }] = box.receiver.received;
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature);
    expect(match).not.toBeNull();
    const [, t, v1] = match ?? [];
    expect(createHmac('sha256', WEBHOOK_SECRET).update(`${t}.${rawBody}`).digest('hex')).toBe(v1);
    expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(60);
    expect(signatureHeader(rawBody, WEBHOOK_SECRET, Number(t))).toBe(signature);
    expect(() => box.stripe.webhooks.constructEvent(rawBody.replace('5500', '5501'), signature, WEBHOOK_SECRET)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(() => box.stripe.webhooks.constructEvent(rawBody, signature, 'whsec_other')).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });

  test('when duplicates is 2, then every event arrives twice with the same id', async () => {
    box.sandbox.setDelivery({ duplicates: 2 });

    await paySession();
    await box.sandbox.flush();

    const ids = box.receiver.received.map((hook) => hook.event.id);
    expect(ids).toHaveLength(4);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).toBe(ids[3]);
    expect(new Set(ids).size).toBe(2);
  });

  test('when delivery is held, then nothing is sent until released, in the order asked for', async () => {
    box.sandbox.setDelivery({ hold: true });
    await paySession();
    await box.sandbox.flush();
    const held = box.sandbox.heldEvents();
    expect(box.receiver.received).toHaveLength(0);
    expect(held.map((e) => e.type)).toEqual(['payment_intent.succeeded', 'checkout.session.completed']);

    box.sandbox.releaseHeld('reverse');
    await box.sandbox.flush();

    expect(box.receiver.types()).toEqual(['checkout.session.completed', 'payment_intent.succeeded']);
    expect(box.sandbox.heldEvents()).toEqual([]);
  });

  test('when held events are released by id, then only those go and the rest stay held', async () => {
    box.sandbox.setDelivery({ hold: true });
    await paySession();
    const [intentEvent, sessionEvent] = box.sandbox.heldEvents();

    box.sandbox.releaseHeld([sessionEvent.id]);
    await box.sandbox.flush();

    expect(box.receiver.received.map((hook) => hook.event.id)).toEqual([sessionEvent.id]);
    expect(box.sandbox.heldEvents().map((e) => e.id)).toEqual([intentEvent.id]);
  });

  test('when held events are shuffled, then all of them arrive exactly once', async () => {
    box.sandbox.setDelivery({ hold: true });
    await paySession();
    await paySession();
    await paySession();
    const heldIds = box.sandbox.heldEvents().map((e) => e.id);

    box.sandbox.releaseHeld('shuffle');
    await box.sandbox.flush();

    expect(box.receiver.received.map((hook) => hook.event.id).sort()).toEqual([...heldIds].sort());
  });

  test('when the endpoint answers 500, then the delivery is retried on the schedule and each attempt is logged', async () => {
    box.receiver.failWith = [500, 503];
    const session = await box.stripe.checkout.sessions.create(TICKET_SESSION);

    box.sandbox.expire(session.id);
    await box.sandbox.flush();

    expect(box.sandbox.deliveries().map((d) => [d.type, d.attempt, d.status])).toEqual([
      ['checkout.session.expired', 1, 500],
      ['checkout.session.expired', 2, 503],
      ['checkout.session.expired', 3, 200],
    ]);
    expect((box.receiver.received[0].event.data.object as Stripe.Checkout.Session).id).toBe(session.id);
  });

  test('when one event is being retried, then later events are not held up behind it', async () => {
    box.receiver.failWith = [500];

    await paySession();
    await box.sandbox.flush();

    expect(box.sandbox.deliveries().map((d) => [d.type, d.attempt, d.status])).toEqual([
      ['payment_intent.succeeded', 1, 500],
      ['checkout.session.completed', 1, 200],
      ['payment_intent.succeeded', 2, 200],
    ]);
  });

  test('when the endpoint cannot be reached, then attempts stop after the retry schedule and record the error', async () => {
    box.sandbox.setWebhookUrl('http://127.0.0.1:1/webhooks/stripe');

    await paySession();
    await box.sandbox.flush();

    const attempts = box.sandbox.deliveries().filter((d) => d.type === 'checkout.session.completed');
    expect(attempts.map((d) => d.attempt)).toEqual([1, 2, 3]);
    expect(attempts.every((d) => d.status === null && typeof d.error === 'string')).toBe(true);
  });

  test('when an event is resent, then the same event arrives again with a fresh signature', async () => {
    await paySession();
    await box.sandbox.flush();
    const original = box.receiver.received[1];

    box.sandbox.resendEvent(original.event.id);
    await box.sandbox.flush();

    expect(box.receiver.received).toHaveLength(3);
    expect(box.receiver.received[2].event.id).toBe(original.event.id);
    expect(box.receiver.received[2].rawBody).toBe(original.rawBody);
  });

  test('when there is no webhook URL, then events are only listed, and the API returns them', async () => {
    const quiet = await startTestSandbox();
    try {
      const quietStripe = stripeFor(quiet);
      const session = await quietStripe.checkout.sessions.create(TICKET_SESSION);
      quiet.pay(session.id);
      await quiet.flush();

      const events = await quietStripe.events.list({ type: 'checkout.session.completed' });

      expect(quiet.deliveries()).toEqual([]);
      expect(events.data).toHaveLength(1);
      expect(events.data[0].pending_webhooks).toBe(0);
      expect((await quietStripe.events.retrieve(events.data[0].id)).type).toBe('checkout.session.completed');
    } finally {
      await quiet.close();
    }
  });
});
