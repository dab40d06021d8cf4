import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

// axe-core's own bundle, read from node_modules and evaluated in the page (never fetched).
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * What the browser tests check on every page they look at, and the screenshots a person then looks at.
 *
 * `accessibilityProblems` runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules and axe's best practices) in the page, then a
 * few checks of the house style that axe leaves to judgement: one h1 per page, headings that do not skip a level, in-page
 * links that point at something.
 */

export const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp/hsug-screens';

/** Debian's Chromium, headless and offline; a browser is never downloaded. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** The widths the issues name: the 320 CSS px of WCAG 2.2 reflow, a 375 px phone and a 1280 px desktop. */
export const WIDTHS = [320, 375, 1280] as const;

// A string, so the test needs no DOM types: it runs in the page.
const CHECKS = `((isEmail) => {
  const problems = [];
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const nameOf = (el) => (el.getAttribute('aria-label') || el.textContent || '').trim();
  if (!document.documentElement.lang) problems.push('html has no lang');
  if (!isEmail && document.querySelectorAll('h1').length !== 1) problems.push('expected one h1, found ' + document.querySelectorAll('h1').length);
  const ids = new Map();
  for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) || 0) + 1);
  for (const [id, n] of ids) if (n > 1) problems.push('duplicate id ' + id);
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    const labelled = (el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]')) || el.closest('label') || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!labelled) problems.push('unlabelled control ' + (el.name || el.id));
  }
  for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby]')) {
    for (const attr of ['aria-describedby', 'aria-labelledby']) {
      for (const ref of (el.getAttribute(attr) || '').split(/\\s+/).filter(Boolean)) if (!document.getElementById(ref)) problems.push(attr + ' points at missing #' + ref);
    }
  }
  for (const a of document.querySelectorAll('a[href^="#"]')) {
    const target = decodeURIComponent(a.getAttribute('href').slice(1));
    if (target && !document.getElementById(target)) problems.push('link to missing #' + target + ' (' + nameOf(a) + ')');
  }
  for (const el of document.querySelectorAll('a[href], button')) if (visible(el) && !nameOf(el)) problems.push('a link or button without a name');
  let last = 0;
  for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
    const level = Number(h.tagName[1]);
    if (last && level > last + 1) problems.push('heading skips from h' + last + ' to h' + level + ': ' + h.textContent.trim());
    last = level;
  }
  for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt')) problems.push('image without alt');
  return problems;
})`;

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/**
 * axe-core's violations on the page, one line each: rule id, impact, and the first offending elements.
 * `isEmail`: an email's body is a fragment shown inside a mail program, so the page-level rules (landmarks, one main,
 * a page h1) do not apply to it.
 */
async function axeViolations(page: Page, isEmail: boolean): Promise<string[]> {
  const hasAxe = await page.evaluate<boolean>('typeof window.axe !== "undefined"');
  if (!hasAxe) await page.evaluate(AXE_SOURCE);
  const rules = isEmail ? { region: { enabled: false }, 'landmark-one-main': { enabled: false }, 'page-has-heading-one': { enabled: false } } : {};
  const options = JSON.stringify({ runOnly: { type: 'tag', values: AXE_TAGS }, rules, resultTypes: ['violations'] });
  const script = `window.axe.run(document, ${options}).then((r) => r.violations.map((v) => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')))`;
  return page.evaluate<string[]>(script);
}

/** `isEmail`: an email's body has no h1 of its own (its subject is its title). */
export async function accessibilityProblems(page: Page, isEmail = false): Promise<string[]> {
  const own = await page.evaluate<string[]>(`${CHECKS}(${isEmail})`);
  return [...(await axeViolations(page, isEmail)).map((v) => `axe ${v}`), ...own];
}

/** How far the page scrolls sideways at this width (0: it reflows, WCAG 2.2 1.4.10). */
export async function sidewaysScroll(page: Page, width: number): Promise<number> {
  const before = page.viewportSize() ?? { width: 1280, height: 900 };
  await page.setViewportSize({ width, height: 800 });
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  await page.setViewportSize(before);
  return overflow;
}

/**
 * Looks at the page as it is at 375 and 1280 px: a full-page screenshot of each (`<name>-<width>.png` under
 * SCREENSHOTS), the accessibility checks, and no sideways scrolling at 320 px. Returns what is wrong, for the test
 * to expect none of; leaves the page at 1280 px.
 */
export async function lookAt(page: Page, name: string, options: { isEmail?: boolean } = {}): Promise<string[]> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const problems: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `${SCREENSHOTS}/${name}-${width}.png`, fullPage: true });
    problems.push(...(await accessibilityProblems(page, options.isEmail)).map((p) => `${name} at ${width}px: ${p}`));
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  const overflow = await sidewaysScroll(page, 320);
  if (overflow > 0) problems.push(`${name} scrolls ${overflow}px sideways at 320px`);
  return problems;
}
