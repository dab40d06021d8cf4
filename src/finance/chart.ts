/** Bar charts drawn as SVG on the server: the view gets numbers to place, never markup. */
export interface ChartItem {
  label: string;
  value: number;
  valueLabel: string;
}

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
  valueLabel: string;
  labelX: number;
  labelY: number;
  valueX: number;
  valueY: number;
}

export interface BarChart {
  width: number;
  height: number;
  bars: Bar[];
  baselineY: number;
  isEmpty: boolean;
}

const shorten = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Columns, one per item (months), value labels above each bar. */
export function columnChart(items: ChartItem[]): BarChart {
  const slot = 64;
  const top = 24;
  const plot = 180;
  const width = Math.max(slot * items.length + 16, 320);
  const max = Math.max(1, ...items.map((i) => i.value));
  const bars = items.map((item, index) => {
    const height = Math.round((Math.max(0, item.value) / max) * plot);
    const x = 8 + index * slot + 8;
    return { x, y: top + plot - height, width: slot - 16, height, label: item.label, valueLabel: item.valueLabel, labelX: x + (slot - 16) / 2, labelY: top + plot + 18, valueX: x + (slot - 16) / 2, valueY: top + plot - height - 6 };
  });
  return { width, height: top + plot + 28, bars, baselineY: top + plot, isEmpty: items.every((i) => i.value <= 0) };
}

/** Rows, one per item (events), the name on the left and the value after the bar. */
export function rowChart(items: ChartItem[]): BarChart {
  const row = 28;
  const labelWidth = 260;
  const plot = 360;
  const max = Math.max(1, ...items.map((i) => i.value));
  const bars = items.map((item, index) => {
    const width = Math.round((Math.max(0, item.value) / max) * plot);
    const y = 8 + index * row;
    return { x: labelWidth, y, width, height: row - 10, label: shorten(item.label, 38), valueLabel: item.valueLabel, labelX: labelWidth - 8, labelY: y + 14, valueX: labelWidth + width + 6, valueY: y + 14 };
  });
  return { width: labelWidth + plot + 110, height: items.length * row + 16, bars, baselineY: 0, isEmpty: items.every((i) => i.value <= 0) };
}
