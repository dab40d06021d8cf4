/**
 * Bar charts drawn on the server: one row per item, its full label and value as HTML text (so a long event title
 * wraps on a phone, and a screen reader reads the label and the value), and beside them a small SVG holding only the
 * bar (hidden from assistive technology: the text says it all). The view gets numbers to place, never markup.
 * A value may be negative (a month of refunds): the bar then runs left of the zero line, in another colour.
 */
export interface ChartItem {
  label: string;
  value: number;
  valueLabel: string;
}

export interface BarRow {
  label: string;
  valueLabel: string;
  /** Where the bar starts and how wide it is, in the SVG's 0–1000 wide viewBox. */
  x: number;
  width: number;
  isNegative: boolean;
}

export interface BarChart {
  rows: BarRow[];
  /** The zero line's position in the viewBox, when some value is negative (otherwise 0, the left edge). */
  zeroX: number;
  hasNegative: boolean;
  /** Fewer than two bars say nothing a sentence would not: the page shows the table alone. */
  isWorthDrawing: boolean;
}

export const CHART_WIDTH = 1000;

export function barChart(items: ChartItem[]): BarChart {
  const low = Math.min(0, ...items.map((i) => i.value));
  const high = Math.max(0, ...items.map((i) => i.value));
  const span = high - low || 1;
  const zeroX = Math.round((-low / span) * CHART_WIDTH);
  const rows = items.map((item) => {
    const length = Math.round((Math.abs(item.value) / span) * CHART_WIDTH);
    // A value too small to see still gets a sliver, so "£0.40" never looks like nothing.
    const width = item.value === 0 ? 0 : Math.max(2, length);
    return { label: item.label, valueLabel: item.valueLabel, x: item.value < 0 ? Math.max(0, zeroX - width) : zeroX, width, isNegative: item.value < 0 };
  });
  return { rows, zeroX, hasNegative: low < 0, isWorthDrawing: items.filter((i) => i.value !== 0).length >= 2 };
}
