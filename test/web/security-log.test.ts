import request from 'supertest';
import { signatureHeader } from '../../sandbox/src';
import { logConfigWarnings } from '../../src/lib/security-events';
import { loadConfig } from '../../src/config';
import { createStaff, createToken, csrfFrom, formCookie, PASSWORD, signIn, type SignedIn } from '../admin/helpers';
import { buildEvent, person } from '../support/factories';
import { captureLogs, type CapturedLogs } from '../support/logs';
import { paidEvent, sessionIdOf, startPaymentsTestApp, WEBHOOK_SECRET, type PaymentsTestApp } from '../support/payments';

// Issue 14, "Security logging": sign-in failures and lockouts, refused requests (401/403/429), webhook signature
// failures and token failures on private links are logged as structured lines with the request id and the client
// address; tokens, passwords and full card-related ids never are. The lines here come from the service's real
// logger (pino, with its redaction), as an operator's log store would hold them.

let t: PaymentsTestApp;
let logs: CapturedLogs;
let organiser: SignedIn;
let treasurer: SignedIn & { id: number };
let apiToken: string;
let booking: { reference: string; token: string };

/** Every secret the tests use: none may appear in any line. */
const secrets: string[] = [PASSWORD];

beforeAll(async () => {
  logs = captureLogs();
  t = await startPaymentsTestApp({ logger: logs.logger });
  const event = await buildEvent(t.db);
  const p = person('log-holder');
  const created = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ attendee: p }] });
  booking = { reference: created.body.booking.reference, token: new URL(created.body.booking.manageUrl).searchParams.get('token')! };
  organiser = await signIn(t.server, (await createStaff(t, 'organiser')).email);
  const treasurerUser = await createStaff(t, 'treasurer');
  treasurer = { ...(await signIn(t.server, treasurerUser.email)), id: treasurerUser.id };
  apiToken = await createToken(t, treasurerUser.id);
  secrets.push(booking.token, apiToken);
});
afterAll(async () => {
  await t.close();
});

/** The security lines written while `act` ran. */
async function during(act: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const before = logs.lines.length;
  await act();
  return logs.lines.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.security);
}

const REQUEST_ID = expect.stringMatching(/^[0-9a-f]{8}$/);
const LOOPBACK = expect.stringMatching(/127\.0\.0\.1$/);

describe('sign-in failures and lockouts', () => {
  it('when a wrong password is given, then one sign_in_failed line names the account, the address and the request, and not the password', async () => {
    const form = await request(t.baseUrl).get('/admin/sign-in');
    const cookie = formCookie(form);

    const lines = await during(() => request(t.baseUrl).post('/admin/sign-in').set('Cookie', cookie).type('form').send({ _csrf: csrfFrom(form.text), email: 'Someone@HSUG.test', password: 'wrong-password-typed' }).expect(401));

    expect(lines).toEqual([
      expect.objectContaining({ level: 'warn', security: 'sign_in_failed', msg: 'staff sign-in failed', requestId: REQUEST_ID, ip: LOOPBACK, method: 'POST', url: '/admin/sign-in', status: 401, code: 'sign_in_failed', account: 'someone@hsug.test' }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('wrong-password-typed');
    expect(JSON.stringify(lines)).not.toContain(cookie.split('=')[1]);
  });

  it('when the throttle refuses a sign-in, then it is logged as sign_in_locked with 429', async () => {
    const form = await request(t.baseUrl).get('/admin/sign-in');
    const cookie = formCookie(form);
    const attempt = () => request(t.baseUrl).post('/admin/sign-in').set('Cookie', cookie).type('form').send({ _csrf: csrfFrom(form.text), email: 'locked@hsug.test', password: 'guess' });
    for (let i = 0; i < 5; i++) await attempt().expect(401);

    const lines = await during(() => attempt().expect(429));

    expect(lines).toEqual([expect.objectContaining({ security: 'sign_in_locked', status: 429, code: 'too_many_attempts', account: 'locked@hsug.test', ip: LOOPBACK, requestId: REQUEST_ID })]);
  });

  it('when the email field holds something that is not an email address (a password typed in the wrong box), then it is not logged', async () => {
    const form = await request(t.baseUrl).get('/admin/sign-in');
    const cookie = formCookie(form);

    const lines = await during(() => request(t.baseUrl).post('/admin/sign-in').set('Cookie', cookie).type('form').send({ _csrf: csrfFrom(form.text), email: 'my secret passphrase', password: 'x' }));

    expect(JSON.stringify(lines)).not.toContain('my secret passphrase');
  });
});

describe('refused requests', () => {
  it('when the staff API is called without a token, or with a wrong one, then request_refused with 401, and the token is not logged', async () => {
    const wrong = 'hsug_wrongwrongwrongwrongwrongwrong';
    secrets.push(wrong);

    const lines = await during(async () => {
      await request(t.baseUrl).get('/api/v1/admin/finance/summary').expect(401);
      await request(t.baseUrl).get('/api/v1/admin/finance/summary').set('Authorization', `Bearer ${wrong}`).expect(401);
    });

    expect(lines).toEqual([
      expect.objectContaining({ security: 'request_refused', status: 401, code: 'unauthorized', url: '/api/v1/admin/finance/summary', ip: LOOPBACK, requestId: REQUEST_ID }),
      expect.objectContaining({ security: 'request_refused', status: 401, code: 'unauthorized' }),
    ]);
  });

  it('when a treasurer opens a page their role does not include, then request_refused with 403 names the staff user', async () => {
    const lines = await during(() => treasurer.agent.get('/admin/users').expect(403));

    expect(lines).toEqual([expect.objectContaining({ security: 'request_refused', status: 403, code: 'forbidden', staffUserId: treasurer.id, method: 'GET', url: '/admin/users' })]);
  });

  it('when a staff form arrives without its CSRF token, then request_refused with 403 csrf_failed', async () => {
    const event = await buildEvent(t.db, { status: 'draft' });

    const lines = await during(() => organiser.agent.post(`/admin/events/${event.slug}/publish`).type('form').send({}).expect(403));

    expect(lines).toEqual([expect.objectContaining({ security: 'request_refused', status: 403, code: 'csrf_failed' })]);
  });

  it('when a request succeeds, or is merely not found, then no security event is written', async () => {
    const lines = await during(async () => {
      await request(t.baseUrl).get('/api/v1/events').expect(200);
      await request(t.baseUrl).get('/no-such-page').expect(404);
      await organiser.agent.get('/admin').expect(200);
    });

    expect(lines).toEqual([]);
  });
});

describe('webhook signature failures', () => {
  it('when a webhook has a signature made with the wrong secret, then webhook_signature_failed with Stripe\'s reason, not the signature', async () => {
    const body = JSON.stringify({ id: 'evt_forged', type: 'checkout.session.completed', data: { object: { id: 'cs_test_forged' } } });
    const forged = signatureHeader(body, 'whsec_not_ours', Math.floor(Date.now() / 1000));

    const lines = await during(() => request(t.baseUrl).post('/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', forged).send(body).expect(400));

    expect(lines).toEqual([expect.objectContaining({ security: 'webhook_signature_failed', status: 400, code: 'invalid_signature', ip: LOOPBACK, url: '/webhooks/stripe', reason: expect.stringContaining('signature') })]);
    expect(JSON.stringify(lines)).not.toContain(forged.split('v1=')[1]);
  });

  it('when a webhook has no signature at all, then it is logged the same way', async () => {
    const lines = await during(() => request(t.baseUrl).post('/webhooks/stripe').set('content-type', 'application/json').send('{}').expect(400));

    expect(lines).toEqual([expect.objectContaining({ security: 'webhook_signature_failed', status: 400 })]);
  });

  it('when a webhook is signed with our secret, then no security event is written', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const p = person('log-webhook');
    const res = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ ticketTypeId: event.ticketTypeIds[1], attendee: p }] });
    const body = JSON.stringify({ id: 'evt_log_ok', object: 'event', type: 'checkout.session.expired', created: Math.floor(Date.now() / 1000), data: { object: { id: sessionIdOf(res.body.booking.checkoutUrl), object: 'checkout.session' } } });

    const lines = await during(() => request(t.baseUrl).post('/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', signatureHeader(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000))).send(body));

    expect(lines).toEqual([]);
  });
});

describe('token failures on private links', () => {
  it('when a manage link has a wrong token, then link_token_failed with the URL, its token redacted', async () => {
    const wrong = 'Wr0ngWr0ngWr0ngWr0ngWr0ngWr0ngWr0ngWr0ng123';
    secrets.push(wrong);

    const lines = await during(() => request(t.baseUrl).get(`/bookings/${booking.reference}?token=${wrong}`).expect(404));

    expect(lines).toEqual([expect.objectContaining({ security: 'link_token_failed', status: 404, code: 'booking_not_found', url: `/bookings/${booking.reference}?token=[redacted]`, ip: LOOPBACK, requestId: REQUEST_ID })]);
  });

  it('when the real token is used with another reference, then the failure is logged and the token is not', async () => {
    const lines = await during(() => request(t.baseUrl).get(`/bookings/HSUG-ZZZZ-ZZZZ?token=${booking.token}`).expect(404));

    expect(lines).toEqual([expect.objectContaining({ security: 'link_token_failed', url: '/bookings/HSUG-ZZZZ-ZZZZ?token=[redacted]' })]);
  });

  it('when the booking API is asked with a wrong bearer token, or none, then link_token_failed each time', async () => {
    const lines = await during(async () => {
      await request(t.baseUrl).get(`/api/v1/bookings/${booking.reference}`).set('Authorization', 'Bearer Wr0ngWr0ngWr0ngWr0ngWr0ngWr0ngWr0ngWr0ng123');
      await request(t.baseUrl).get(`/api/v1/bookings/${booking.reference}`);
    });

    expect(lines.map((l) => [l.security, l.status])).toEqual([
      ['link_token_failed', 404],
      ['link_token_failed', 401],
    ]);
  });

  it('when a checkout return page has a wrong token, then link_token_failed', async () => {
    const lines = await during(() => request(t.baseUrl).get(`/checkout/cancelled?reference=${booking.reference}&token=Wr0ngWr0ngWr0ngWr0ngWr0ngWr0ngWr0ngWr0ng123`).expect(404));

    expect(lines).toEqual([expect.objectContaining({ security: 'link_token_failed', url: `/checkout/cancelled?reference=${booking.reference}&token=[redacted]` })]);
  });

  it('when the manage link is opened with its own token, then no security event is written', async () => {
    const lines = await during(() => request(t.baseUrl).get(`/bookings/${booking.reference}?token=${booking.token}`).expect(200));

    expect(lines).toEqual([]);
  });
});

describe('configuration warnings', () => {
  it('when NODE_ENV is unset, then the warning is written as a config_warning naming NODE_ENV, in capitals', () => {
    const captured = captureLogs();

    logConfigWarnings(captured.logger, loadConfig({}).warnings);

    expect(captured.parsed()).toEqual([expect.objectContaining({ level: 'warn', security: 'config_warning', variable: 'NODE_ENV', msg: expect.stringMatching(/^CONFIGURATION WARNING: NODE_ENV is not set/) })]);
  });
});

describe('what never reaches the log', () => {
  it('when every line written by the tests above is read, then none holds a password, a manage token or an API token', () => {
    const all = logs.lines.join('\n');

    expect(logs.lines.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(all).not.toContain(secret);
  });
});
