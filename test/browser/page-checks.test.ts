import type { Browser } from 'playwright-core';
import { accessibilityProblems, lookAt, launchChromium } from './page-checks';

/** The checks every browser test relies on must find what they claim to find, or a clean result means nothing. */

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const CLEAN = `<!doctype html><html lang="en"><head><title>Clean</title></head><body><header><a href="#main">Skip to main content</a></header><main id="main"><h1>Events</h1><h2>March</h2><label for="q">Search</label><input id="q" name="q"></main></body></html>`;

describe('page checks', () => {
  it('when a page is clean, then neither axe nor the house checks report anything', async () => {
    const page = await browser.newPage();
    await page.setContent(CLEAN);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.close();
  });

  it('when a page has an unlabelled field, grey-on-white text and a table in a scroll box no keyboard reaches, then axe names each rule', async () => {
    const page = await browser.newPage();
    await page.setContent(`<!doctype html><html lang="en"><head><title>Bad</title></head><body><main><h1>Attendees</h1>
      <input name="q"><p style="color:#bbb;background:#fff">Faint text</p>
      <div style="overflow:auto;width:100px"><table><tr><td style="white-space:nowrap">${'wide '.repeat(40)}</td></tr></table></div></main></body></html>`);
    const problems = await accessibilityProblems(page);
    expect(problems.join('\n')).toMatch(/axe label \(critical\)/);
    expect(problems.join('\n')).toMatch(/axe color-contrast \(serious\)/);
    expect(problems.join('\n')).toMatch(/axe scrollable-region-focusable/);
    await page.close();
  });

  it('when a page is wider than a 320 px screen, then lookAt says how far it scrolls sideways', async () => {
    const page = await browser.newPage();
    await page.setContent(CLEAN.replace('</main>', '<div style="min-width:428px">Places</div></main>'));
    const problems = await lookAt(page, 'page-checks-wide');
    // 428 px of content plus the body's 8 px margins, in a 320 px window.
    expect(problems).toEqual(['page-checks-wide scrolls 116px sideways at 320px']);
    await page.close();
  });
});
