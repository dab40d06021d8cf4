import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { formatMoney } from '../lib/money';
import { choiceOptions } from '../announcements/schemas';

export const VIEWS_DIR = path.resolve(__dirname, '../../views');

export interface Views {
  /** Renders views/<name>.hbs inside views/layouts/<layout>.hbs (default "main"); layout null renders the page alone. */
  render(name: string, model: object, layout?: string | null): string;
}

function listTemplates(dir: string, prefix = ''): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...listTemplates(full, `${prefix}${entry.name}/`));
    else if (entry.name.endsWith('.hbs')) found.push([`${prefix}${entry.name.slice(0, -4)}`, full]);
  }
  return found;
}

/** Compiles every template once, at start-up; rendering never touches the disk. */
export function createViews(dir: string = VIEWS_DIR): Views {
  const hbs = Handlebars.create();
  hbs.registerHelper('money', (amount: number, currency: string) => formatMoney(amount, currency));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('plural', (n: number, one: string, many: string) => (n === 1 ? one : many));
  hbs.registerHelper('range', (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i));
  // The subscribe box on the home and event pages starts at "all events" (announcements/schemas.ts).
  hbs.registerHelper('subscribeOptions', () => choiceOptions({ choice: 'all' }));
  hbs.registerHelper('json', (value: unknown) => JSON.stringify(value));

  const compiled = new Map<string, Handlebars.TemplateDelegate>();
  for (const [name, file] of listTemplates(dir)) {
    const source = fs.readFileSync(file, 'utf8');
    if (name.startsWith('partials/')) hbs.registerPartial(name.slice('partials/'.length), source);
    // Plain-text email parts must not be HTML-escaped (a link with & and = would break).
    else compiled.set(name, hbs.compile(source, { noEscape: name.endsWith('.text') }));
  }

  const template = (name: string) => {
    const found = compiled.get(name);
    if (!found) throw new Error(`No view named ${name}`);
    return found;
  };

  return {
    render(name, model, layout = 'main') {
      const body = template(name)(model);
      // The page was rendered by our own escaping templates; SafeString marks it so the layout needs no {{{ }}}.
      return layout === null ? body : template(`layouts/${layout}`)({ ...model, body: new hbs.SafeString(body) });
    },
  };
}
