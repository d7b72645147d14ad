/** Chart specs shared by the mining commands (and the digest, through their replies). The command
 * says what to draw; src/charts draws it. */
import type { ChartPanel, ChartSpec } from "../../src/core/index.ts";

/** Power prices the cost curve is drawn at, in ¢/kWh: from 0 to well past the break-even price
 * and the user's price, in ten even steps, so both crossings are on the chart. */
function centsAxis(usdPerKwh: number, breakEvenUsdPerKwh: number): number[] {
  const maxCents = Math.max(10, Math.ceil(Math.max(usdPerKwh, breakEvenUsdPerKwh) * 100 * 1.4));
  const step = maxCents / 10;
  return Array.from({ length: 11 }, (_, i) => Math.round(i * step * 100) / 100);
}

/** mining_cost: cost per BTC against the power price (its slope is the sensitivity), the BTC price
 * as a rule and the user's power price marked; with a machine, its daily profit below. */
export function costCurve(input: {
  place: string;
  usdPerKwh: number;
  energyPerBtcKwh: number;
  btcPriceUsd: number;
  machine?: { name: string; usdPerDayAt: (usdPerKwh: number) => number };
}): ChartSpec {
  const breakEven = input.btcPriceUsd / input.energyPerBtcKwh;
  const cents = centsAxis(input.usdPerKwh, breakEven);
  const x = { label: "Power price", type: "number" as const, unit: "¢/kWh" };
  const marker = { x: round2(input.usdPerKwh * 100), label: input.place };
  const panels: ChartPanel[] = [
    {
      title: "Electricity cost per BTC",
      mark: "line",
      x,
      y: { label: "Cost per BTC", unit: "$" },
      series: [
        {
          name: "Cost per BTC",
          points: cents.map((c) => ({ x: c, y: Math.round(input.energyPerBtcKwh * (c / 100)) })),
        },
      ],
      rules: [{ y: Math.round(input.btcPriceUsd), label: "BTC price" }],
      marker,
    },
  ];
  if (input.machine) {
    const profit = input.machine.usdPerDayAt;
    panels.push({
      title: `${input.machine.name}: profit per day`,
      mark: "line",
      x,
      y: { label: "Profit per day", unit: "$" },
      series: [{ name: "Profit per day", points: cents.map((c) => ({ x: c, y: round2(profit(c / 100)) })) }],
      rules: [{ y: 0, label: "Break-even" }],
      marker,
    });
  }
  return { title: `Cost to mine 1 BTC against the power price — ${input.place}`, panels };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** "United States (average)" → "United States", "United Arab Emirates" → "UAE": a name that
 * fits a phone's table and a chart's axis. */
export function shortRegionName(name: string): string {
  const bare = name.replace(/\s*\([^)]*\)/g, "").trim();
  if (bare.length <= 14) return bare;
  return bare
    .split(/\s+/)
    .map((w) => w[0]!.toUpperCase())
    .join("");
}

/** migration: cost per BTC by region, cheapest first, with the BTC price as a rule. */
export function regionBars(
  regions: readonly { name: string; costPerBtcUsd: number }[],
  btcPriceUsd: number,
): ChartSpec {
  return {
    title: "Electricity cost to mine 1 BTC by region (at a loss in orange)",
    panels: [
      {
        mark: "bar",
        horizontal: true,
        x: { label: "Region", type: "category" },
        y: { label: "Cost per BTC", unit: "$" },
        series: [
          {
            name: "Cost per BTC",
            // Regions mining at a loss stand out.
            points: regions.map((r) => ({
              x: shortRegionName(r.name),
              y: Math.round(r.costPerBtcUsd),
              ...(r.costPerBtcUsd > btcPriceUsd ? { emphasis: true } : {}),
            })),
          },
        ],
        rules: [{ y: Math.round(btcPriceUsd), label: "BTC price" }],
      },
    ],
  };
}

/** migration what-if: each country's share of hashrate before and after the move. */
export function shareBars(
  title: string,
  countries: readonly { name: string; beforePct: number; afterPct: number }[],
): ChartSpec {
  const points = (pick: (c: (typeof countries)[number]) => number) =>
    countries.map((c) => ({ x: shortRegionName(c.name), y: round2(pick(c)) }));
  return {
    title,
    panels: [
      {
        mark: "bar",
        horizontal: true,
        x: { label: "Country", type: "category" },
        y: { label: "Share of hashrate", unit: "%" },
        series: [
          { name: "Before", points: points((c) => c.beforePct) },
          { name: "After", points: points((c) => c.afterPct) },
        ],
      },
    ],
  };
}

/** concentration: the largest entities' shares per layer, with the 50% line. */
export function sharePanels(
  layers: readonly { label: string; entities: { name: string; sharePct: number }[]; lowerBound: boolean }[],
): ChartSpec {
  return {
    title: "Shares of the largest entities, with the 50% line",
    panels: layers.map((layer) => ({
      title: layer.label + (layer.lowerBound ? " (largest known only)" : ""),
      mark: "bar" as const,
      horizontal: true,
      x: { label: "Entity", type: "category" as const },
      y: { label: "Share", unit: "%" },
      series: [
        {
          name: "Share",
          points: layer.entities
            .slice(0, 6)
            .map((e) => ({ x: shortRegionName(e.name), y: round2(e.sharePct) })),
        },
      ],
      rules: [{ y: 50, label: "50%" }],
    })),
  };
}
