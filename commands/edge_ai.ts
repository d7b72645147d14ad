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

import { projectForecast, projectionRange } from "../src/domain/edge-ai.ts";
import { snapshotSource } from "./shared/sources.ts";

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
    const sameScope = all.filter((f) => f.scope === forecast.scope);
    const projection = projectForecast(forecast, args.year);
    const range = projectionRange(sameScope, args.year);
    const label = projection.extrapolated ? " (extrapolated beyond the forecast's years)" : "";
    const anyExtrapolated = sameScope.some((f) => projectForecast(f, args.year).extrapolated);
    const otherScopes = [...new Set(all.map((f) => f.scope).filter((s) => s !== forecast.scope))];
    const rows = sameScope.map((f) => {
      const p = projectForecast(f, args.year);
      return [
        f.name,
        `${f.startYear}–${f.endYear}`,
        fmt.pct(p.cagr * 100),
        `$${fmt.num(p.valueUsdB, 1)}B${p.extrapolated ? "*" : ""}`,
      ];
    });
    return {
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
        columns: ["Forecast", "Years", "CAGR", String(args.year)],
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
