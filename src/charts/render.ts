/** ChartSpec → SVG → PNG: Vega-Lite compiles the spec, Vega renders SVG headless (no canvas),
 * resvg rasterises it with the bundled Inter font and system fonts off, so a chart is the same
 * picture on every machine.
 *
 * Vega and Vega-Lite are loaded at the first chart (or warm()), not at start-up: together they
 * cost ~0.45 s, and Vega-Lite defines Set.prototype.toJSON, which breaks discord.js's event
 * emitter if discord.js is loaded after it, so the platforms load first. */
import { join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import type { ChartSpec } from "../core/index.ts";
import { CHART_WIDTH, THEME, toVegaLite } from "./vega.ts";

const FONTS = ["inter-latin-400.ttf", "inter-latin-700.ttf"].map((f) =>
  join(import.meta.dirname, "fonts", f),
);

/** PNGs are drawn at twice the logical size: sharp on a phone, small enough to upload fast. */
export const CHART_SCALE = 2;

export interface ChartImage {
  png: Buffer;
  width: number;
  height: number;
  /** The chart's title, for the image's alt text. */
  alt: string;
}

export interface ChartRenderer {
  svg(spec: ChartSpec): Promise<string>;
  png(spec: ChartSpec): Promise<ChartImage>;
  /** Loads the chart libraries now, so the first chart does not wait for them. */
  warm(): Promise<void>;
}

/** The chart libraries, loaded once on first use. */
let libraries:
  | Promise<{ vega: typeof import("vega"); compile: typeof import("vega-lite").compile }>
  | undefined;
const loadLibraries = () =>
  (libraries ??= Promise.all([import("vega"), import("vega-lite")]).then(([vega, vegaLite]) => ({
    vega,
    compile: vegaLite.compile,
  })));

/** Recent charts kept as PNGs: a digest time posts one chart to thousands of chats, and drawing it
 * once instead of once per chat keeps the fan-out at Telegram's pace rather than the CPU's. */
const RECENT_CHARTS = 16;

export function createChartRenderer(): ChartRenderer {
  const recent = new Map<string, Promise<ChartImage>>();
  async function svg(spec: ChartSpec): Promise<string> {
    const { vega, compile } = await loadLibraries();
    const { spec: compiled } = compile(toVegaLite(spec) as never);
    const view = new vega.View(vega.parse(compiled), { renderer: "none", logLevel: vega.Error });
    try {
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  }
  return {
    svg,
    async warm() {
      await loadLibraries();
    },
    png(spec) {
      const key = JSON.stringify(spec);
      const kept = recent.get(key);
      if (kept) return kept;
      const drawn = draw(spec);
      recent.set(key, drawn);
      if (recent.size > RECENT_CHARTS) recent.delete(recent.keys().next().value!);
      drawn.catch(() => recent.delete(key));
      return drawn;
    },
  };

  async function draw(spec: ChartSpec): Promise<ChartImage> {
    const image = new Resvg(await svg(spec), {
      font: {
        fontFiles: FONTS,
        loadSystemFonts: false,
        defaultFontFamily: THEME.font,
        sansSerifFamily: THEME.font,
      },
      fitTo: { mode: "zoom", value: CHART_SCALE },
      background: THEME.background,
    }).render();
    return { png: image.asPng(), width: image.width, height: image.height, alt: spec.title };
  }
}

export { CHART_WIDTH };
