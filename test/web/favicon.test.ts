import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';

// A newcomer saw "GET /favicon.ico 404" in the browser console on every page: every page now names its icon.

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('the site icon', () => {
  it('when a public or a staff page is served, then it names the icon, and the icon is served as SVG from this origin', async () => {
    for (const path of ['/', '/admin/sign-in']) {
      const page = await request(t.app).get(path).expect(200);
      expect(page.text).toContain('<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">');
    }
    const icon = await request(t.app).get('/static/favicon.svg').expect(200);
    expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(icon.body.toString()).toContain('<svg');
  });
});
