import {
  argsSchema,
  closest,
  defineCommand,
  fmt,
  numberOption,
  optionSpecs,
  textOption,
  UserError,
} from "../src/core/index.ts";

import type { Forecast, ForecastScope } from "../src/core/snapshot.ts";
import { projectForecast, projectionRange } from "../src/domain/edge-ai.ts";
import { action, snapshotSource } from "./shared/sources.ts";

const options = {
  year: numberOption("year", {
    description: "Year to project",
    integer: true,
    min: 2015,
    max: 2050,
    default: 2030,
    example: "2030",
  }),
  forecast: textOption("forecast", {
    description: "Forecast id (default: the 2025–2033 edge-AI series)",
    catalog: "forecast",
    example: "edge_ai_gvr_2025",
  }),
};

/** What each scope counts, in one line, because their sizes are not comparable: chip revenue includes
 * processors in phones and PCs whose main job is not AI, so it can exceed the whole edge-AI market. */
const SCOPE_NOTES: Record<ForecastScope, string> = {
  edge_ai_total:
    "edge AI total: the publishers' whole edge-AI market (hardware, software and services together)",
  edge_ai_chips:
    "edge AI chips: revenue of chips that can run AI on devices, incl. phone and PC processors whose main job is not AI — so it can exceed the edge-AI total",
  edge_ai_hardware: "edge AI hardware: devices and modules sold for edge AI, hardware only",
};

/** One point per independent forecast: a superseded edition gives way to its publisher's latest. */
function independent(forecasts: readonly Forecast[]): Forecast[] {
  return forecasts.filter((f) => f.supersededBy === undefined);
}

const usdB = (value: number, lowerBound: boolean) => `${lowerBound ? "at least " : ""}$${fmt.num(value, 1)}B`;

export default defineCommand({
  name: "edge_ai",
  description:
    "Edge-AI market size for a year: one forecast, and the range across forecasts of the same scope",
  options: optionSpecs(options),
  args: argsSchema(options),
  examples: ["/edge_ai 2030", "/edge_ai year=2028 forecast=edge_ai_chips_gvr_2025"],
  usesUpstream: false,
  async run(args, { deps }) {
    const all = deps.snapshot.forecasts;
    const forecast = args.forecast ? all.find((f) => f.id === args.forecast!.toLowerCase()) : all[0];
    if (!forecast) {
      const ids = all.map((f) => f.id);
      const suggestion = closest(args.forecast!, ids);
      throw new UserError(
        "unknown_name",
        `Unknown forecast "${args.forecast}".${suggestion ? ` Did you mean ${suggestion}?` : ""} Known: ${ids.join(", ")}.`,
        { option: "forecast", allowed: ids.join(", "), ...(suggestion ? { suggestion } : {}) },
      );
    }
    const sameScope = independent(all).filter((f) => f.scope === forecast.scope);
    const projection = projectForecast(forecast, args.year);
    const points = sameScope.map((f) => ({ forecast: f, projection: projectForecast(f, args.year) }));
    const range = projectionRange(sameScope, args.year);
    const atLow = points.find((p) => p.projection.valueUsdB === range.lowUsdB)!;
    const atHigh = points.find((p) => p.projection.valueUsdB === range.highUsdB)!;
    const label = projection.extrapolated ? " (extrapolated beyond the forecast's years)" : "";
    const anyExtrapolated = points.some((p) => p.projection.extrapolated);
    const otherScopes = [...new Set(all.map((f) => f.scope).filter((s) => s !== forecast.scope))];
    const rows = points.map(({ forecast: f, projection: p }) => [
      shortForecastName(f.name),
      `${String(f.startYear).slice(2)}–${String(f.endYear).slice(2)}`,
      fmt.pct(p.cagr * 100),
      `${p.lowerBound ? "≥" : ""}${fmt.num(p.valueUsdB, 1)}${p.extrapolated ? "*" : ""}`,
    ]);
    const spread =
      range.count === 1
        ? `It is the only independent forecast of this scope, so there is no range.`
        : `Across ${range.count} independent forecasts of this scope: ${usdB(range.lowUsdB, atLow.projection.lowerBound)} to ${usdB(range.highUsdB, atHigh.projection.lowerBound)}${anyExtrapolated ? " (partly extrapolated, marked *)" : ""}.`;
    const rangeText =
      range.count === 1
        ? "the only forecast of this scope"
        : `${range.count} forecasts say ${usdB(range.lowUsdB, atLow.projection.lowerBound)} to ${usdB(range.highUsdB, atHigh.projection.lowerBound)}`;
    const published = forecast.publishedCagr;
    const publishedText = published
      ? ` (published: ${fmt.pct(published.pct)}${published.fromYear && published.toYear ? ` over ${published.fromYear}–${published.toYear}` : ""})`
      : "";
    const span = (f: (typeof sameScope)[number]) => ({
      from: Math.min(f.startYear, args.year),
      to: Math.max(f.endYear, args.year),
    });
    const fromYear = Math.min(...sameScope.map((f) => span(f).from));
    const toYear = Math.max(...sameScope.map((f) => span(f).to));
    const years = Array.from({ length: toYear - fromYear + 1 }, (_, i) => fromYear + i);
    // The range only where every forecast speaks (or up to the asked year, which is labelled
    // extrapolated when it lies beyond one): a band past that would be drawn from guesses alone.
    const bandTo = Math.max(args.year, Math.min(...sameScope.map((f) => f.endYear)));
    const bandYears = years.filter((y) => y >= Math.max(...sameScope.map((f) => f.startYear)) && y <= bandTo);
    return {
      headline: `Edge AI in ${args.year}: ${projection.lowerBound ? "" : "about "}${usdB(projection.valueUsdB, projection.lowerBound)}${projection.extrapolated ? " (extrapolated)" : ""}; ${rangeText}.`,
      figures: [
        {
          label: `${args.year}, ${shortForecastName(forecast.name)}`,
          value: usdB(projection.valueUsdB, projection.lowerBound),
        },
        {
          label: "Range across forecasts",
          value:
            range.count === 1
              ? "one forecast, no range"
              : `${usdB(range.lowUsdB, atLow.projection.lowerBound)} to ${usdB(range.highUsdB, atHigh.projection.lowerBound)}`,
        },
        { label: "Growth (CAGR)", value: `${fmt.pct(projection.cagr * 100)} a year` },
        {
          label: `${forecast.startYear} → ${forecast.endYear}`,
          value: `$${forecast.startUsdB}B → $${forecast.endUsdB}B`,
        },
      ],
      chart: {
        title: `Edge-AI market forecasts, ${fromYear}–${toYear}`,
        panels: [
          {
            mark: "line",
            x: { label: "Year", type: "number" },
            y: { label: "Market size", unit: "$B" },
            // Each curve only over its own years and the asked year: no line where a forecast says nothing.
            series: sameScope.map((f) => ({
              name: shortForecastName(f.name),
              points: years
                .filter((y) => y >= span(f).from && y <= span(f).to)
                .map((y) => ({ x: y, y: round1(projectForecast(f, y).valueUsdB) })),
            })),
            ...(sameScope.length > 1
              ? {
                  band: {
                    name: "Range",
                    points: bandYears.map((y) => {
                      const r = projectionRange(sameScope, y);
                      return { x: y, low: round1(r.lowUsdB), high: round1(r.highUsdB) };
                    }),
                  },
                }
              : {}),
            marker: { x: args.year, label: String(args.year) },
          },
        ],
      },
      actions: [
        action(`In ${args.year + 5}`, "edge_ai", {
          year: Math.min(2050, args.year + 5),
          forecast: forecast.id,
        }),
        action("Does a model fit?", "edge_fit", { model: "llama_3_1_8b", device: "raspberry_pi_5_8gb" }),
        action("Sources", "sources", {}),
      ],
      title: `Edge-AI market in ${args.year}`,
      summary:
        `${forecast.name}: ${projection.lowerBound ? "at least" : "about"} $${fmt.num(projection.valueUsdB, 1)}B in ${args.year}${label}, growing ${fmt.pct(projection.cagr * 100)} a year${publishedText} ` +
        `($${forecast.startUsdB}B in ${forecast.startYear} → ${forecast.endIsLowerBound ? "over " : ""}$${forecast.endUsdB}B in ${forecast.endYear}). ${spread}`,
      fields: [
        {
          name: "Scope",
          value: `${SCOPE_NOTES[forecast.scope]}.${otherScopes.length ? ` Other scopes (${otherScopes.map((s) => s.replaceAll("_", " ")).join(", ")}) count different things and are not mixed in this range.` : ""}`,
        },
        {
          name: "Method",
          value:
            "CAGR = (end ÷ start)^(1 ÷ years) − 1 over the years the rate is published for; value = start × (1 + CAGR)^(year − start year). * = extrapolated; ≥ = from a published floor. Superseded editions are left out of the range.",
        },
      ],
      table: {
        columns: ["Forecast", "Years", "CAGR", `${args.year} $B`],
        align: ["left", "left", "right", "right"],
        rows,
      },
      sources: (sameScope.includes(forecast) ? sameScope : [forecast, ...sameScope]).map((f) =>
        snapshotSource(`Forecast: ${f.name}`, f),
      ),
      data: {
        year: args.year,
        valueUsdB: projection.valueUsdB,
        cagr: projection.cagr,
        extrapolated: projection.extrapolated,
        lowerBound: projection.lowerBound,
        forecast: {
          id: forecast.id,
          startYear: forecast.startYear,
          startUsdB: forecast.startUsdB,
          endYear: forecast.endYear,
          endUsdB: forecast.endUsdB,
        },
        range,
        rangeExtrapolated: anyExtrapolated,
        rangeLowIsLowerBound: atLow.projection.lowerBound,
        rangeHighIsLowerBound: atHigh.projection.lowerBound,
      },
    };
  },
});

/** "Edge AI market (2025 edition)" → "2025 edition": what tells forecasts of one scope apart, for a
 * legend entry or a narrow table. */
function shortForecastName(name: string): string {
  const inner = /\(([^)]+)\)/.exec(name)?.[1] ?? name;
  return inner.length <= 22 ? inner : `${inner.slice(0, 21)}…`;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
