/** The bundled history datasets of the trend command, checked at load by zod so a figure without a
 * source, a date or a unit stops the process at start-up with the file and the field named, rather
 * than reaching an answer. One schema per file; they share the figure schema, so they merge easily
 * into one snapshot schema. */
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { TrendDatasets } from "../core/trend-data.ts";

const isoDate = z
  .string()
  .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, "must be an ISO date: YYYY, YYYY-MM or YYYY-MM-DD");
const dayDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be an ISO day: YYYY-MM-DD");

export const figureSourceSchema = z.object({
  publisher: z.string().min(1),
  title: z.string().min(1),
  url: z.url({ protocol: /^https$/ }),
});

function figure<T extends z.ZodType>(value: T) {
  return z.object({
    value,
    unit: z.string().min(1),
    source: figureSourceSchema,
    asOf: isoDate,
    basis: z.string().min(1),
  });
}

const positive = z.number().positive().max(1e6);
const percent = z.number().min(0).max(100);

const scoreSchema = figure(percent).extend({ benchmark: z.string().min(1) });

const modelSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9_]+$/),
    name: z.string().min(1),
    developer: z.string().min(1),
    released: dayDate,
    paramsB: figure(positive),
    activeParamsB: figure(positive).optional(),
    scores: z.array(scoreSchema).min(1),
  })
  .refine((m) => m.activeParamsB === undefined || m.activeParamsB.value <= m.paramsB.value, {
    message: "active parameters exceed the total",
    path: ["activeParamsB"],
  });

export const openModelsSchema = z
  .object({
    levels: z
      .array(
        z.object({
          id: z.string().regex(/^[a-z0-9_]+$/),
          name: z.string().min(1),
          benchmark: z.string().min(1),
          score: figure(percent),
        }),
      )
      .min(1),
    densingLaw: figure(positive),
    models: z.array(modelSchema).min(1),
  })
  .superRefine((d, ctx) => {
    const ids = new Set<string>();
    d.models.forEach((m, i) => {
      if (ids.has(m.id))
        ctx.addIssue({ code: "custom", message: `duplicate model id ${m.id}`, path: ["models", i] });
      ids.add(m.id);
    });
  });

export const countrySharesSchema = z.object({
  points: z
    .array(
      figure(z.array(z.object({ name: z.string().min(1), sharePct: percent })).min(1)).refine(
        (p) => p.value.reduce((s, c) => s + c.sharePct, 0) <= 100 + 1e-9,
        "country shares add up to more than 100%",
      ),
    )
    .min(1),
});

export const makerSharesSchema = z.object({
  points: z.array(figure(percent).extend({ maker: z.string().min(1) })).min(1),
});

export const fleetEfficiencySchema = z.object({
  points: z
    .array(
      figure(positive).extend({
        kind: z.enum(["fleet_average", "best_new_machine"]),
        machine: z.string().min(1).optional(),
      }),
    )
    .min(1),
});

/** Parses one dataset file's JSON, or throws naming the file and each bad field. */
export function parseDataset<T>(file: string, schema: z.ZodType<T>, json: unknown): T {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
  throw new Error(`bundled dataset ${file} is invalid: ${problems}`);
}

const DIR = new URL("./snapshot/", import.meta.url);

function load<T>(file: string, schema: z.ZodType<T>): T {
  const text = readFileSync(new URL(file, DIR), "utf8");
  return parseDataset(file, schema, JSON.parse(text));
}

export function loadTrendDatasets(): TrendDatasets {
  return {
    openModels: load("open-models.json", openModelsSchema),
    countryShares: load("country-shares-history.json", countrySharesSchema).points,
    makerShares: load("maker-share-history.json", makerSharesSchema).points,
    fleetEfficiency: load("fleet-efficiency-history.json", fleetEfficiencySchema).points,
  } satisfies TrendDatasets;
}

/** Loaded once at start-up, like the snapshot. */
export const trendDatasets: TrendDatasets = loadTrendDatasets();
