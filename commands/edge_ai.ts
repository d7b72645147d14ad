import { z } from "zod";
import { closest, defineCommand, fmt, numberArg, textArg, UserError } from "../src/core/index.ts";

import { projectForecast, projectionRange } from "../src/domain/edge-ai.ts";
import { action, snapshotSource } from "./shared/sources.ts";

const options = {
  year: {
    name: "year",
    description: "Year to project (default 2030)",
    type: "integer",
    min: 2015,
    max: 2050,
    example: "2030",
  },
  forecast: {
    name: "forecast",
    description: "Forecast id (default: the 2025–2033 edge-AI series)",
    type: "string",
    example: "edge_ai_gvr_2025",
  },
} as const;

export default defineCommand({
  name: "edge_ai",
  description:
    "Edge-AI market size for a year: one forecast, and the range across forecasts of the same scope",
  options: Object.values(options),
  args: z.object({
    year: numberArg(options.year).default(2030),
    forecast: textArg(options.forecast).optional(),
  }),
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
    const sameScope = all.filter((f) => f.scope === forecast.scope);
    const projection = projectForecast(forecast, args.year);
    const range = projectionRange(sameScope, args.year);
    const label = projection.extrapolated ? " (extrapolated beyond the forecast's years)" : "";
    const anyExtrapolated = sameScope.some((f) => projectForecast(f, args.year).extrapolated);
    const otherScopes = [...new Set(all.map((f) => f.scope).filter((s) => s !== forecast.scope))];
    const rows = sameScope.map((f) => {
      const p = projectForecast(f, args.year);
      return [
        shortForecastName(f.name),
        `${String(f.startYear).slice(2)}–${String(f.endYear).slice(2)}`,
        fmt.pct(p.cagr * 100),
        `${fmt.num(p.valueUsdB, 1)}${p.extrapolated ? "*" : ""}`,
      ];
    });
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
      headline: `Edge AI in ${args.year}: about $${fmt.num(projection.valueUsdB, 1)}B${projection.extrapolated ? " (extrapolated)" : ""}; ${range.count} forecast${range.count === 1 ? "" : "s"} of this scope say $${fmt.num(range.lowUsdB, 1)}B–$${fmt.num(range.highUsdB, 1)}B.`,
      figures: [
        {
          label: `${args.year}, ${shortForecastName(forecast.name)}`,
          value: `$${fmt.num(projection.valueUsdB, 1)}B`,
        },
        {
          label: "Range across forecasts",
          value: `$${fmt.num(range.lowUsdB, 1)}B–$${fmt.num(range.highUsdB, 1)}B`,
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
        `${forecast.name}: about $${fmt.num(projection.valueUsdB, 1)}B in ${args.year}${label}, growing ${fmt.pct(projection.cagr * 100)} a year ` +
        `($${forecast.startUsdB}B in ${forecast.startYear} → $${forecast.endUsdB}B in ${forecast.endYear}). ` +
        `Across ${range.count} forecast${range.count === 1 ? "" : "s"} of this scope: $${fmt.num(range.lowUsdB, 1)}B–$${fmt.num(range.highUsdB, 1)}B${anyExtrapolated ? " (partly extrapolated, marked *)" : ""}.`,
      fields: [
        {
          name: "Scope",
          value: `${forecast.scope.replaceAll("_", " ")}${otherScopes.length ? ` — forecasts of other scopes (${otherScopes.map((s) => s.replaceAll("_", " ")).join(", ")}) are not mixed in this range` : ""}`,
        },
        {
          name: "Method",
          value:
            "CAGR = (end ÷ start)^(1 ÷ years) − 1; value = start × (1 + CAGR)^(year − start year). * = extrapolated.",
        },
      ],
      table: {
        columns: ["Forecast", "Years", "CAGR", `${args.year} $B`],
        align: ["left", "left", "right", "right"],
        rows,
      },
      sources: sameScope.map((f) => snapshotSource(`Forecast: ${f.name}`, f)),
      data: {
        year: args.year,
        valueUsdB: projection.valueUsdB,
        cagr: projection.cagr,
        extrapolated: projection.extrapolated,
        forecast: {
          id: forecast.id,
          startYear: forecast.startYear,
          startUsdB: forecast.startUsdB,
          endYear: forecast.endYear,
          endUsdB: forecast.endUsdB,
        },
        range,
        rangeExtrapolated: anyExtrapolated,
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
