/** What a command wants drawn. Commands describe the picture; one renderer (src/charts) draws every
 * spec the same way, so a chart looks alike in every answer and in the digest.
 *
 * Numbers are in the unit the axis names; the renderer formats them. Keep specs small: a phone
 * shows about 390 px, so a panel with more than ~12 bars or ~6 series is unreadable. */

export type ChartMark = "bar" | "stacked_bar" | "line";

export interface ChartPoint {
  /** Category label (bars), year or ISO date (lines). */
  x: string | number;
  y: number;
  /** Drawn in the warning colour: a region mining at a loss, a model that does not fit. */
  emphasis?: boolean;
}

export interface ChartSeries {
  /** Shown in the legend; for a single-series bar chart it may be the panel's measure. */
  name: string;
  points: ChartPoint[];
  /** Which y axis the series is read on; "y2" needs the panel's y2 (default "y"). */
  axis?: "y" | "y2";
}

/** A horizontal reference line: the BTC price, the 50% line, the device's usable memory. */
export interface ChartRule {
  y: number;
  label: string;
}

/** A shaded range between two lines (the spread across forecasts). */
export interface ChartBand {
  name: string;
  points: { x: string | number; low: number; high: number }[];
}

/** A vertical marker at one x (the year asked about). */
export interface ChartMarker {
  x: string | number;
  label: string;
}

export interface ChartAxis {
  label: string;
  /** category: bars by name; number: years or amounts; date: ISO dates. */
  type?: "category" | "number" | "date";
  /** Unit shown after tick values ("$", "%", "GB", "EH/s"). */
  unit?: string;
  /** "log" for values spanning orders of magnitude (model sizes); default "linear". */
  scale?: "linear" | "log";
}

export interface ChartPanel {
  title?: string;
  mark: ChartMark;
  x: ChartAxis;
  y: ChartAxis;
  /** A second y axis on the right, for series with axis "y2" (a count beside an index). */
  y2?: ChartAxis;
  series: ChartSeries[];
  rules?: ChartRule[];
  band?: ChartBand;
  marker?: ChartMarker;
  /** Bars drawn left to right instead of bottom to top (long category names). */
  horizontal?: boolean;
}

export interface ChartSpec {
  /** Used as the image's alt text and title. */
  title: string;
  /** One panel, or two stacked (trend: mining above, AI below). */
  panels: ChartPanel[];
}
