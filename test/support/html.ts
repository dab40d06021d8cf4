/** Small helpers to read server-rendered pages the way a person would: as text, by section. */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", '#x3D': '=', '#x60': '`', nbsp: ' ' };

export function decode(text: string): string {
  return text.replace(/&(#?[a-zA-Z0-9]+);/g, (whole, name: string) => ENTITIES[name] ?? whole);
}

/** The visible text of some HTML, tags removed and whitespace collapsed. */
export function textOf(html: string): string {
  return decode(html.replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
}

/** The month sections of the events list, in page order, with the slugs of the events under each. */
export function monthSections(html: string): Array<{ heading: string; slugs: string[] }> {
  const sections = html.match(/<section class="month"[\s\S]*?<\/section>/g) ?? [];
  return sections.map((section) => ({
    heading: textOf(/<h2[^>]*>([\s\S]*?)<\/h2>/.exec(section)?.[1] ?? ''),
    slugs: [...section.matchAll(/href="\/events\/([a-z0-9-]+)"/g)].map((m) => m[1]),
  }));
}

/** The slugs of every event card on a page. */
export function cardSlugs(html: string): string[] {
  return [...html.matchAll(/<h3><a href="\/events\/([a-z0-9-]+)">/g)].map((m) => m[1]);
}

/** One element's opening tag, found by its id. */
export function tagWithId(html: string, id: string): string {
  const match = new RegExp(`<(input|textarea|select)[^>]*\\bid="${id}"[^>]*>`).exec(html);
  if (!match) throw new Error(`no form control with id ${id}`);
  return match[0];
}

export function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}="([^"]*)"`).exec(tag);
  return match ? decode(match[1]) : undefined;
}
