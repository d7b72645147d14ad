/** ChartSpec → Vega-Lite spec. Pure: the one place that decides how every chart looks.
 *
 * Sized for a phone: 390 px wide at scale 1 (the PNG is drawn at 2× for sharpness), text at 11–14 px,
 * at most one legend, labels on the reference lines instead of a legend entry for them. Colours are
 * a dark card with light text and a colour-blind-safe palette, so the image reads the same in a
 * light or a dark chat theme. */
import type { ChartAxis, ChartPanel, ChartSpec } from "../core/index.ts";

/** The logical width of a chart: a 390-px phone screen. */
export const CHART_WIDTH = 390;
const PLOT_WIDTH = 300;
const LINE_HEIGHT = 190;
const BAR_STEP = 22;

export const THEME = {
  background: "#1b1d23",
  text: "#e8e9ed",
  muted: "#a3a8b4",
  grid: "#343842",
  /** Okabe–Ito, reordered for contrast on the dark card. */
  palette: ["#56b4e9", "#e69f00", "#009e73", "#f0e442", "#cc79a7", "#d55e00"],
  rule: "#ff6b6b",
  /** Bars past the line: vermillion, apart from the rule's red and the palette's blue. */
  warn: "#d55e00",
  band: "#56b4e9",
  font: "Inter",
} as const;

type VlSpec = Record<string, unknown>;

export function toVegaLite(spec: ChartSpec): VlSpec {
  // One panel: the chart's title is the panel's; two: each panel keeps its own under the chart's.
  const panels = spec.panels.map((p) => panelSpec(spec.panels.length === 1 ? { ...p, title: undefined } : p));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    background: THEME.background,
    padding: { left: 10, right: 14, top: 10, bottom: 10 },
    title: { text: wrapTitle(spec.title), anchor: "start", fontSize: 14, color: THEME.text, offset: 10 },
    config: CONFIG,
    ...(panels.length === 1
      ? panels[0]
      : { vconcat: panels, spacing: 24, resolve: { scale: { color: "independent", x: "independent" } } }),
  };
}

const CONFIG = {
  font: THEME.font,
  view: { stroke: null },
  axis: {
    labelColor: THEME.muted,
    titleColor: THEME.muted,
    gridColor: THEME.grid,
    domainColor: THEME.grid,
    tickColor: THEME.grid,
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: "normal",
  },
  legend: {
    labelColor: THEME.text,
    titleColor: THEME.muted,
    labelFontSize: 11,
    orient: "bottom",
    direction: "horizontal",
    columns: 2,
    symbolType: "square",
    title: null,
  },
  title: { color: THEME.text, subtitleColor: THEME.muted },
  header: { labelColor: THEME.text },
};

/** A long title on several lines, so it never widens a phone-width image. Vega measures text
 * without a canvas by estimate (about 11 px per bold character at 14 px), hence the short lines. */
function wrapTitle(title: string, max = 32): string | string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of title.split(" ")) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.length === 1 ? lines[0]! : lines;
}

/** A number in a few characters: 51,445 → "51.4k", 2.5e6 → "2.5M"; the sign is the caller's. */
function shortNumber(n: string, precision: string): string {
  const a = `abs(${n})`;
  return `(${a} >= 1e6 ? format(${a} / 1e6, '${precision}') + 'M' : ${a} >= 1e4 ? format(${a} / 1e3, '${precision}') + 'k' : format(${a}, ',${precision}'))`;
}

function withUnit(n: string, unit: string | undefined, precision: string): string {
  const sign = `(${n} < 0 ? '-' : '')`;
  const body = shortNumber(n, precision);
  if (unit === "$") return `${sign} + '$' + ${body}`;
  if (unit === "%") return `${sign} + ${body} + '%'`;
  return `${sign} + ${body}`;
}

/** Axis tick labels: "$51k", "37%", "4.8" (other units are in the axis title). */
function labelExpr(unit: string | undefined): string {
  return withUnit("datum.value", unit, "~g");
}

/** "Cost per BTC" for $ and %, whose sign is on every tick; "Memory (GB)" otherwise. */
function axisTitle(axis: ChartAxis): string {
  return axis.unit && axis.unit !== "$" && axis.unit !== "%" ? `${axis.label} (${axis.unit})` : axis.label;
}

/** A bar's value label: "$51.4k", "37.8%", "4.82 GB". */
function valueText(unit: string | undefined, field: string): string {
  const text = withUnit(`datum.${field}`, unit, ".3~g");
  return unit && unit !== "$" && unit !== "%" ? `${text} + ' ${unit}'` : text;
}

interface Row {
  series: string;
  x: string | number;
  y: number;
  order: number;
  emphasis: boolean;
}

function rowsOf(panel: ChartPanel): Row[] {
  return panel.series.flatMap((s, si) =>
    s.points.map((p, i) => ({
      series: s.name,
      x: p.x,
      y: p.y,
      order: si * 1000 + i,
      emphasis: p.emphasis === true,
    })),
  );
}

function colorScale(panel: ChartPanel) {
  return { domain: panel.series.map((s) => s.name), range: THEME.palette.slice(0, panel.series.length) };
}

function panelSpec(panel: ChartPanel): VlSpec {
  const spec = panel.mark === "line" ? lineSpec(panel) : barSpec(panel);
  return panel.title
    ? { title: { text: wrapTitle(panel.title, 38), fontSize: 12, color: THEME.text, offset: 18 }, ...spec }
    : spec;
}

function lineSpec(panel: ChartPanel): VlSpec {
  const xType =
    panel.x.type === "date" ? "temporal" : panel.x.type === "category" ? "ordinal" : "quantitative";
  const numeric = xType === "quantitative";
  const xAxis =
    xType === "temporal"
      ? { title: axisTitle(panel.x), format: "%Y", tickCount: "year" }
      : xType === "ordinal"
        ? { title: axisTitle(panel.x), labelAngle: -45, labelFontSize: 10 }
        : {
            title: axisTitle(panel.x),
            // Years are labels, not amounts: "2030", never "2,030".
            ...(numeric && panel.x.label === "Year"
              ? { format: "d", tickMinStep: 1 }
              : { labelExpr: labelExpr(panel.x.unit) }),
          };
  const categories = [...new Set(panel.series.flatMap((s) => s.points.map((p) => String(p.x))))].sort();
  const xScale =
    xType === "quantitative" ? { nice: false, zero: false } : xType === "temporal" ? { nice: false } : {};
  const x = {
    field: "x",
    type: xType,
    axis: xAxis,
    scale: xScale,
    ...(xType === "ordinal" ? { sort: categories } : {}),
  };
  const yAxisOf = (axis: ChartAxis, orient?: "right") => ({
    field: "y",
    type: "quantitative",
    axis: {
      title: axisTitle(axis),
      labelExpr: labelExpr(axis.unit),
      tickCount: 5,
      ...(orient ? { orient, grid: false } : {}),
    },
    ...(axis.scale === "log" ? { scale: { type: "log" } } : {}),
  });
  const layers: VlSpec[] = [];
  if (panel.band) {
    layers.push({
      data: { values: panel.band.points.map((p) => ({ x: p.x, low: p.low, high: p.high })) },
      mark: { type: "area", color: THEME.band, opacity: 0.18 },
      encoding: { x: { ...x }, y: { field: "low", type: "quantitative" }, y2: { field: "high" } },
    });
  }
  const color = {
    field: "series",
    type: "nominal",
    scale: colorScale(panel),
    legend: panel.series.length > 1 ? {} : null,
  };
  const onRight = new Set(panel.y2 ? panel.series.filter((s) => s.axis === "y2").map((s) => s.name) : []);
  const rows = rowsOf(panel);
  const line = (values: Row[], y: VlSpec) => ({
    data: { values },
    mark: { type: "line", strokeWidth: 2.5, point: { size: 28, filled: true } },
    encoding: { x, y, color, order: { field: "order" } },
  });
  const left: VlSpec[] = [
    line(
      rows.filter((r) => !onRight.has(r.series)),
      yAxisOf(panel.y),
    ),
    ...ruleLayers(panel, "y"),
  ];
  if (panel.marker) left.push(...markerLayers(panel.marker));
  if (!onRight.size) return { width: PLOT_WIDTH, height: LINE_HEIGHT, layer: [...layers, ...left] };
  // A second quantity (a count beside an index) on its own scale, read on the right.
  return {
    width: PLOT_WIDTH,
    height: LINE_HEIGHT,
    layer: [
      { layer: [...layers, ...left] },
      line(
        rows.filter((r) => onRight.has(r.series)),
        yAxisOf(panel.y2!, "right"),
      ),
    ],
    resolve: { scale: { y: "independent" } },
  };
}

function barSpec(panel: ChartPanel): VlSpec {
  const categories = [...new Set(panel.series.flatMap((s) => s.points.map((p) => String(p.x))))];
  const horizontal = panel.horizontal ?? true;
  const grouped = panel.mark === "bar" && panel.series.length > 1;
  const cat = {
    field: "x",
    type: "nominal",
    sort: categories,
    axis: { title: null, labelLimit: 120, labelFontSize: 11, labelColor: THEME.text },
  };
  const val = {
    field: "y",
    type: "quantitative",
    ...(panel.mark === "stacked_bar" ? { stack: "zero" } : { stack: null }),
    axis: { title: axisTitle(panel.y), labelExpr: labelExpr(panel.y.unit), tickCount: 5 },
    // Room for a rule beyond every bar (the BTC price above the cheapest regions).
    scale: { domain: { unionWith: [0, ...(panel.rules ?? []).map((r) => r.y * 1.08)] }, nice: true },
  };
  const color = {
    field: "series",
    type: "nominal",
    scale: colorScale(panel),
    legend: panel.series.length > 1 ? {} : null,
  };
  const encoding: VlSpec = horizontal
    ? {
        y: cat,
        x: val,
        color,
        ...(grouped ? { yOffset: { field: "series", sort: panel.series.map((s) => s.name) } } : {}),
      }
    : {
        x: cat,
        y: val,
        color,
        ...(grouped ? { xOffset: { field: "series", sort: panel.series.map((s) => s.name) } } : {}),
      };
  // One series with emphasised points: those bars in the warning colour, the rest in the first.
  const emphasised = panel.series.length === 1 && panel.series[0]!.points.some((p) => p.emphasis);
  const barColor = emphasised
    ? { condition: { test: "datum.emphasis", value: THEME.warn }, value: THEME.palette[0] }
    : undefined;
  const layers: VlSpec[] = [
    {
      data: { values: rowsOf(panel) },
      mark: { type: "bar", cornerRadiusEnd: 2 },
      encoding: { ...encoding, ...(barColor ? { color: barColor } : {}), order: { field: "order" } },
    },
  ];
  // Single-series bars carry their value, so the list under the chart can stay short.
  if (!grouped && panel.mark === "bar" && horizontal) {
    layers.push({
      data: { values: rowsOf(panel) },
      transform: [{ calculate: valueText(panel.y.unit, "y"), as: "label" }],
      mark: { type: "text", align: "left", dx: 4, fontSize: 10, color: THEME.text },
      encoding: { y: cat, x: { field: "y", type: "quantitative" }, text: { field: "label" } },
    });
  }
  layers.push(...ruleLayers(panel, horizontal ? "x" : "y"));
  const steps = categories.length * (grouped ? panel.series.length : 1);
  const size = Math.max(60, steps * BAR_STEP + (grouped ? categories.length * 6 : 0));
  return horizontal
    ? { width: PLOT_WIDTH - 80, height: size, layer: layers }
    : { width: PLOT_WIDTH, height: LINE_HEIGHT, layer: layers };
}

/** Reference lines with their label at the far end: the BTC price, 50%, usable memory. */
function ruleLayers(panel: ChartPanel, channel: "x" | "y"): VlSpec[] {
  const rules = panel.rules ?? [];
  if (!rules.length) return [];
  const values = rules.map((r) => ({ value: r.y, label: r.label }));
  const at = { field: "value", type: "quantitative" };
  const rule = {
    data: { values },
    mark: { type: "rule", color: THEME.rule, strokeWidth: 2, strokeDash: [6, 4] },
    encoding: { [channel]: at },
  };
  const text =
    channel === "y"
      ? {
          data: { values },
          mark: {
            type: "text",
            align: "right",
            baseline: "bottom",
            dy: -3,
            x: "width",
            fontSize: 11,
            color: THEME.rule,
            fontWeight: "bold",
          },
          encoding: { y: at, text: { field: "label" } },
        }
      : {
          data: { values },
          // Above the plot, clear of the tick labels below it and of the bars inside it.
          mark: {
            type: "text",
            align: "center",
            baseline: "bottom",
            y: 0,
            dy: -3,
            fontSize: 11,
            color: THEME.rule,
            fontWeight: "bold",
          },
          encoding: { x: at, text: { field: "label" } },
        };
  return [rule, text];
}

/** The asked value marked on the x axis (the user's power price, the asked year). */
function markerLayers(marker: NonNullable<ChartPanel["marker"]>): VlSpec[] {
  const values = [{ x: marker.x, label: marker.label }];
  const x = { field: "x", type: typeof marker.x === "number" ? "quantitative" : "nominal" };
  return [
    {
      data: { values },
      mark: { type: "rule", color: THEME.text, strokeWidth: 1.5, opacity: 0.7 },
      encoding: { x },
    },
    {
      data: { values },
      mark: { type: "text", align: "left", baseline: "top", dx: 4, y: 2, fontSize: 11, color: THEME.text },
      encoding: { x, text: { field: "label" } },
    },
  ];
}
