import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';

/** The joining link is a private link: limited per client address like the manage link (RATE_LIMIT_LINKS). */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { RATE_LIMITS: 'on', RATE_LIMIT_LINKS: '3/10m' } });
});
afterAll(() => t.close());

describe('the joining link’s limit', () => {
  it('when one address tries joining links over and over, then after the private-link limit it gets 429 with Retry-After and the refusal page says to wait', async () => {
    const tries = [];
    for (let i = 0; i < 4; i++) tries.push(await request(t.app).get(`/join/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abc${i}x`));
    expect(tries.map((r) => r.status)).toEqual([404, 404, 404, 429]);
    expect(Number(tries[3].headers['retry-after'])).toBeGreaterThan(0);
    expect(tries[3].text).toContain('Please try again in');
  });
});
