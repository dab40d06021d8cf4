import request from 'supertest';
import { csrfFrom, createStaff, signIn, type OrganiserApp, startWithOrganiser } from '../admin/helpers';
import { buildEvent } from '../support/factories';

/** Slides and recordings against hostile input: links that are not https, files that pretend, names that escape. */
let app: OrganiserApp;

beforeAll(async () => {
  app = await startWithOrganiser();
});
afterAll(() => app.close());

async function materialsPage() {
  const { t, server } = app;
  t.clock.set('2026-03-10T20:30:00Z');
  const organiser = await signIn(server, (await createStaff(t, 'organiser')).email);
  const event = await buildEvent(t.db, { title: 'Meeting with hostile slides', startsAt: '2026-03-10T18:00:00Z', endsAt: '2026-03-10T20:00:00Z' });
  const page = await organiser.agent.get(`/admin/events/${event.slug}/materials`);
  return { organiser, event, csrf: csrfFrom(page.text) };
}

describe('slides and recordings, pushed', () => {
  it('when a link is javascript:, data:, plain http or a bare word, then 422 beside the address with what was typed kept, and nothing saved', async () => {
    const { organiser, event, csrf } = await materialsPage();
    for (const url of ['javascript:alert(document.domain)//https://x', 'data:text/html,<script>alert(1)</script>', 'http://video.example.org/r', 'recording', ' JAVASCRIPT:alert(1)']) {
      const res = await organiser.agent.post(`/admin/events/${event.slug}/materials`).type('form').send({ _csrf: csrf, kind: 'recording', title: 'Recording', url, visibility: 'public' });
      expect([url, res.status]).toEqual([url, 422]);
      expect(res.text).toContain('Enter a web address starting with https://');
      expect(res.text).toContain('id="field-url-error"');
      expect(res.text).toContain(`value="${url.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/=/g, '&#x3D;').replace(/'/g, '&#x27;')}"`);
      expect(res.text).not.toContain('<script>alert(1)</script>');
    }
    expect(await app.t.db('event_materials').where({ event_id: event.id })).toEqual([]);
  });

  it('when the link form has no kind and no audience, and the upload form no audience, then each message is shown beside its own field (all at once)', async () => {
    const { organiser, event, csrf } = await materialsPage();
    const link = await organiser.agent.post(`/admin/events/${event.slug}/materials`).type('form').send({ _csrf: csrf, title: '', url: 'http://x' });
    expect(link.status).toBe(422);
    for (const message of ['Choose slides or recording', 'Choose who may see it', 'Enter a title, like Slides: Waiting times in 2026', 'Enter a web address starting with https://']) expect(link.text).toContain(message);
    expect(link.text).toContain('href="#field-kind-recording"');
    const upload = await organiser.agent.post(`/admin/events/${event.slug}/materials/upload`).field('_csrf', csrf).field('title', 'Kept title').attach('file', Buffer.from('%PDF-1.4 x'), { filename: 'ok.pdf', contentType: 'application/pdf' });
    expect(upload.status).toBe(422);
    expect(upload.text).toContain('Choose who may see it');
    expect(upload.text).toContain('value="Kept title"');
  });

  it('when a file named .pdf is HTML or SVG with script, it is refused; a PDF that also holds HTML, or a name with ../ and quotes, downloads as an attachment with a safe name and nosniff', async () => {
    const { organiser, event, csrf } = await materialsPage();
    const upload = (data: Buffer, filename: string) => organiser.agent.post(`/admin/events/${event.slug}/materials/upload`).field('_csrf', csrf).field('title', 'Slides').field('visibility', 'public').attach('file', data, { filename, contentType: 'application/pdf' });
    const html = await upload(Buffer.from('<!doctype html><script>alert(1)</script>'), 'slides.pdf');
    const svg = await upload(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), 'slides.pdf');
    expect([html.status, svg.status]).toEqual([422, 422]);
    expect(html.text).toContain('Upload slides as PDF, PowerPoint (.pptx) or OpenDocument (.odp)');
    expect(html.text).toContain('value="Slides"');
    expect(html.text).toContain('href="#field-file"');

    const polyglot = await upload(Buffer.from('%PDF-1.4\n<html><script>alert(1)</script></html>'), '../../etc/"quoted" name\r\n.pdf');
    expect(polyglot.status).toBe(303);
    const [row] = await app.t.db('event_materials').where({ event_id: event.id }).select('id');
    const page = await organiser.agent.get(`/admin/events/${event.slug}/materials`);
    expect(page.text).not.toContain('"quoted"');
    const file = await request(app.server).get(`/events/${event.slug}/materials/${row.id}`);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    const disposition = String(file.headers['content-disposition']);
    expect(disposition).toMatch(/^attachment; filename="[\w.\- ]+"; filename\*=UTF-8''[^"\s]+$/);
    expect(disposition).not.toContain('/');
  });
});
