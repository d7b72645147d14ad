/** Chart render time: each command's chart spec → PNG, cold (the first render in the process, with
 * the module load) and warm (median of n renders). */
import { createCommandRegistry } from "../commands/index.ts";
import { runTextLine } from "../src/core/index.ts";
import { consoleInvocation, memoryDeps } from "../test/support/memory-deps.ts";

export const CHART_LINES = [
  "/mining_cost paraguay",
  '/mining_cost texas machine="S21 XP"',
  "/migration",
  "/migration from=us_average to=paraguay ehs=100",
  "/concentration",
  "/edge_ai 2030",
  "/edge_fit llama_3_1_8b raspberry_pi_5_8gb",
];

export interface ChartBench {
  /** import of vega, vega-lite and resvg, plus the first render. */
  coldMs: number;
  results: {
    command: string;
    medianMs: number;
    p99Ms: number;
    pngBytes: number;
    width: number;
    height: number;
  }[];
}

export async function benchCharts(n: number): Promise<ChartBench> {
  const registry = createCommandRegistry();
  const specs = [];
  for (const line of CHART_LINES) {
    const reply = await runTextLine(registry, line, { deps: memoryDeps(), invocation: consoleInvocation });
    specs.push({ line, spec: reply!.chart! });
  }
  const coldStart = performance.now();
  const { createChartRenderer } = await import("../src/charts/render.ts");
  const charts = createChartRenderer();
  await charts.png(specs[0]!.spec);
  const coldMs = performance.now() - coldStart;
  const results = [];
  for (const { line, spec } of specs) {
    const times: number[] = [];
    let last = await charts.png(spec);
    for (let i = 0; i < n; i++) {
      // A new renderer each time: its cache of recent charts would otherwise answer every sample.
      const fresh = createChartRenderer();
      const t = performance.now();
      last = await fresh.png(spec);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    results.push({
      command: line,
      medianMs: times[Math.floor(times.length / 2)]!,
      p99Ms: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))]!,
      pngBytes: last.png.length,
      width: last.width,
      height: last.height,
    });
  }
  return { coldMs, results };
}
