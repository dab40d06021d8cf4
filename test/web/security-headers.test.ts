import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent } from '../support/factories';

// Issue 14, "Deployment and headers": helmet in place of the hand-written headers, with the same CSP, and HSTS only
// when PUBLIC_URL is https.

let plain: TestApp;
let https: TestApp;

beforeAll(async () => {
  plain = await startTestApp({ env: { STRIPE_API_BASE: 'http://127.0.0.1:12111' } });
  https = await startTestApp({ env: { PUBLIC_URL: 'https://events.hsug.test' } });
});
afterAll(async () => {
  await plain.close();
  await https.close();
});

describe('security headers', () => {
  it('when any page is served, then the CSP allows only this origin, forms may go to https: and the payment page, and nothing may frame it', async () => {
    const event = await buildEvent(plain.db);

    for (const path of ['/', `/events/${event.slug}`, '/api/v1/events', '/admin/sign-in', '/no-such-page']) {
      const res = await request(plain.app).get(path);

      expect(res.headers['content-security-policy']).toBe("default-src 'self';img-src 'self' data:;style-src 'self';script-src 'self';form-action 'self' https: http://127.0.0.1:12111;frame-ancestors 'none'");
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('same-origin');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('when PUBLIC_URL is http, then no Strict-Transport-Security is sent', async () => {
    const res = await request(plain.app).get('/');

    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('when PUBLIC_URL is https, then every response carries Strict-Transport-Security for a year, subdomains included', async () => {
    for (const path of ['/', '/admin/sign-in', '/api/v1/events']) {
      const res = await request(https.app).get(path);

      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    }
  });

  it('when no payment server is configured, then forms may post only here and to https:', async () => {
    const res = await request(https.app).get('/');

    expect(res.headers['content-security-policy']).toContain("form-action 'self' https:;");
  });

  it('when a manage page is served, then it keeps its stricter Referrer-Policy, so the token never leaves in a Referer', async () => {
    const event = await buildEvent(plain.db);
    const created = await request(plain.app).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: { name: 'Ada Lovelace', email: 'ada@example.org' }, items: [{ attendee: { name: 'Ada Lovelace', email: 'ada@example.org' } }] });
    const manage = new URL(created.body.booking.manageUrl);

    const res = await request(plain.app).get(`${manage.pathname}${manage.search}`);

    expect(res.status).toBe(200);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });
});
