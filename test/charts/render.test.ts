/** Every command's chart, from its real answer, renders to a valid PNG with its labels in the SVG. */
import { describe, expect, it } from "vitest";
import { createCommandRegistry } from "../../commands/index.ts";
import { CHART_SCALE, createChartRenderer } from "../../src/charts/render.ts";
import { type ChartSpec, runTextLine } from "../../src/core/index.ts";
import { consoleInvocation, memoryDeps } from "../support/memory-deps.ts";

const registry = createCommandRegistry();
const charts = createChartRenderer();

async function chartOf(line: string): Promise<ChartSpec> {
  const reply = await runTextLine(registry, line, { deps: memoryDeps(), invocation: consoleInvocation });
  expect(reply?.error).toBeUndefined();
  return reply!.chart!;
}

/** Width and height from the PNG's IHDR chunk (bytes 16–23, big-endian). */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The text of every <text> element, as Vega wrote it (entities decoded). */
function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]!.replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#39;/g, "'"),
  );
}

describe.each([
  // [command line, labels that must be drawn]
  ["/mining_cost paraguay", ["BTC price", "Paraguay", "Power price (¢/kWh)", "$100k"]],
  ['/mining_cost texas machine="S21 XP"', ["Antminer S21 XP: profit per day", "Break-even", "-$5"]],
  ["/migration", ["Russia", "UAE", "BTC price", "Cost per BTC"]],
  ["/migration from=us_average to=paraguay ehs=100", ["Before", "After", "United States", "Paraguay"]],
  ["/concentration", ["Foundry USA", "50%", "Bitmain", "ASIC makers (largest known only)"]],
  ["/edge_ai 2030", ["2025 edition", "2030", "Market size ($B)"]],
  ["/edge_fit llama_3_1_8b raspberry_pi_5_8gb", ["Weights", "KV cache", "Overhead", "Usable memory"]],
])("%s", (line, labels) => {
  it("renders a PNG of a sensible size, drawn at 2× a phone's width", async () => {
    const image = await charts.png(await chartOf(line));
    expect(image.png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(pngSize(image.png)).toEqual({ width: image.width, height: image.height });
    // About 390 px logical (a phone), at scale 2; never a banner, never a tiny thumbnail.
    expect(image.width).toBeGreaterThanOrEqual(600 * (CHART_SCALE / 2));
    expect(image.width).toBeLessThanOrEqual(900 * (CHART_SCALE / 2));
    expect(image.height).toBeGreaterThanOrEqual(250);
    expect(image.height).toBeLessThanOrEqual(1600);
    // Under Telegram's and Discord's upload limits by far (10 MB / 8 MB).
    expect(image.png.length).toBeLessThan(500_000);
    expect(image.alt.length).toBeGreaterThan(10);
  });

  it("draws its labels as text", async () => {
    const texts = svgTexts(await charts.svg(await chartOf(line)));
    for (const label of labels) expect(texts).toContain(label);
  });
});

describe("chart renderer", () => {
  it("draws the same PNG twice (bundled font, no system fonts)", async () => {
    const spec = await chartOf("/edge_fit llama_3_1_8b raspberry_pi_5_8gb");
    // Two renderers, so the second is drawn again rather than taken from the first one's cache.
    const [a, b] = [await charts.png(spec), await createChartRenderer().png(spec)];
    expect(a.png.equals(b.png)).toBe(true);
  });

  it("draws a chart once for many posts of the same spec (the digest fan-out)", async () => {
    const renderer = createChartRenderer();
    const spec = await chartOf("/edge_fit llama_3_1_8b raspberry_pi_5_8gb");
    const first = renderer.png(spec);
    // The same spec again (a copy, as the next chat's post would carry) is the same drawing.
    expect(renderer.png(structuredClone(spec))).toBe(first);
    const other = await chartOf("/edge_fit llama_3_1_8b rtx_4090");
    expect(renderer.png(other)).not.toBe(first);
  });

  it("text is drawn with the bundled font: a chart with words has many more ink pixels than without", async () => {
    const spec: ChartSpec = {
      title: "A title with words",
      panels: [
        {
          mark: "bar",
          x: { label: "Name", type: "category" },
          y: { label: "Value", unit: "%" },
          series: [{ name: "v", points: [{ x: "Alpha", y: 10 }] }],
        },
      ],
    };
    const svg = await charts.svg(spec);
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(["A title with words", "Alpha", "10%"]));
    const blank: ChartSpec = {
      ...spec,
      title: " ",
      panels: [{ ...spec.panels[0]!, x: { label: " " }, y: { label: " " } }],
    };
    const [withText, without] = [await charts.png(spec), await charts.png(blank)];
    // PNG size grows with detail: glyphs compress far worse than flat fill.
    expect(withText.png.length).toBeGreaterThan(without.png.length + 1500);
  });
});
