import type { Server } from 'node:http';
import request from 'supertest';
import { eventFormValues } from '../../src/admin/events/present';
import { findEventBySlug } from '../../src/events/queries';
import { createStaff, signIn, editFormBody } from '../admin/helpers';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent } from '../support/factories';
import { textOf } from '../support/html';

/** Issue 17, "What attendees are told": the privacy notice, the accessibility statement and each event's Access section. */

let t: TestApp;
let server: Server;

beforeAll(async () => {
  t = await startTestApp({ env: { RETENTION_CONTACTS_MONTHS: '18', ORG_CONTACT_EMAIL: 'privacy@hsug.test' } });
  server = t.app.listen(0);
});
afterAll(async () => {
  server.close();
  await t.close();
});

describe('what attendees are told', () => {
  it('when someone reads the privacy notice, then it names what is collected, who sees it, the configured periods, their rights and the contact', async () => {
    const text = textOf((await request(t.app).get('/privacy').expect(200)).text);
    for (const words of ['Dietary requirements and accessibility needs', 'The venue and caterer', 'Stripe', 'deleted 1 month after the event', 'replaced by “Removed” 18 months after the event', 'kept 6 years after the end of the financial year', 'privacy@hsug.test', 'we answer within a calendar month', "Information Commissioner's Office"]) {
      expect(text).toContain(words);
    }
  });

  it('when someone reads the accessibility statement, then it gives the standard, how and when it was tested, known issues and how to ask for help', async () => {
    const text = textOf((await request(t.app).get('/accessibility').expect(200)).text);
    for (const words of ['WCAG) version 2.2 at level AA', 'Known issues', 'axe-core', 'last reviewed on 30 November 2026', 'privacy@hsug.test', 'Equality Advisory and Support Service']) expect(text).toContain(words);
  });

  it('when any public page is shown, then its footer links to the privacy notice and the accessibility statement', async () => {
    const event = await buildEvent(t.db);
    for (const path of ['/', '/events/past', `/events/${event.slug}`, '/subscribe', '/privacy', '/accessibility']) {
      const html = (await request(t.app).get(path).expect(200)).text;
      expect(html).toContain('<a href="/privacy">Privacy notice</a>');
      expect(html).toContain('<a href="/accessibility">Accessibility statement</a>');
    }
  });

  it('when an organiser fills in the Access section, then the event page lists it before booking, and an event without it says so', async () => {
    const organiser = await signIn(server, (await createStaff(t, 'organiser')).email);
    const event = await buildEvent(t.db, { title: 'Access meeting' });
    const bare = textOf((await request(t.app).get(`/events/${event.slug}`).expect(200)).text);
    expect(bare).toContain('The organisers have not described access for this event yet.');

    const form = await organiser.agent.get(`/admin/events/${event.slug}/edit`).expect(200);
    expect(textOf(form.text)).toContain('Access Shown on the event page before booking');
    const values = eventFormValues((await findEventBySlug(t.db, event.slug))!);
    const body = editFormBody(values, organiser.csrf, { accessStepFree: 'on', accessHearingLoop: 'on', accessTransport: 'Old Street station, step-free, 400 m', accessNotes: 'Lift to the first floor.' });
    await organiser.agent.post(`/admin/events/${event.slug}`).type('form').send(body).expect(303);

    const page = await request(t.app).get(`/events/${event.slug}`).expect(200);
    const text = textOf(page.text);
    expect(text).toContain('Access Step-free access Hearing loop Nearest accessible transport: Old Street station, step-free, 400 m Lift to the first floor.');
    expect(page.text.indexOf('id="access-heading"')).toBeLessThan(page.text.indexOf('id="book'));
    expect(text).not.toContain('Live captions');
  });
});

describe('the organisers are told when data goes', () => {
  it('when an organiser opens an event, then it says when its needs answers and contact details will be removed, with the list to download before then', async () => {
    const organiser = await signIn(server, (await createStaff(t, 'organiser')).email);
    const event = await buildEvent(t.db, { startsAt: '2026-03-17T18:00:00.000Z' });
    const text = textOf((await organiser.agent.get(`/admin/events/${event.slug}`).expect(200)).text);
    expect(text).toContain('Dietary and accessibility answers are removed on Friday 17 April 2026.');
    // RETENTION_CONTACTS_MONTHS is 18 in this file.
    expect(text).toContain('Names and contact details are removed on Friday 17 September 2027: download the attendee list before then if you need it.');
  });
});
