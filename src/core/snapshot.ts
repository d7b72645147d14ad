/**
 * The bundled snapshot's one schema. The data lives in JSON files, one per dataset (src/data/snapshot/);
 * each file is checked at load by the schema below and the TypeScript types are inferred from it.
 *
 * Every figure carries what a reader needs to trust it:
 *   value   the number (or table)
 *   unit    what the number is counted in ("USD/kWh", "% of network hashrate", "blocks")
 *   source  the primary publisher, the document's title and its URL; `via` names a secondary reporter
 *           only as a pointer to where the primary figure was read
 *   asOf    the date the source carries (ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD)
 *   basis   what exactly the number is: tariff class, survey vs whole network, estimate and how
 * Catalog entries (ASICs, models, devices, forecasts) carry the same provenance once per entry, with the
 * unit in each field's name (hashrateThs, bandwidthGbs, startUsdB).
 *
 * To add a dataset: add its schema to SnapshotFilesSchema (the key is the file name without .json) and
 * put the file next to the others; the loader reads every key.
 */
import { z } from "zod";

const IsoDateSchema = z
  .string()
  .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, "must be an ISO 8601 date: YYYY, YYYY-MM or YYYY-MM-DD")
  .refine((s) => !Number.isNaN(Date.parse(s)), "is not a real date");

const text = z.string().trim().min(1, "must not be empty");

export const SourceSchema = z.strictObject({
  /** Who published the figure: "U.S. Energy Information Administration", "Hydro-Québec". */
  publisher: text,
  /** How an answer's one-line source list names the publisher, when the name is long: "EIA". */
  short: text.optional(),
  /** The document: "Electric Power Monthly, Table 5.6.A". */
  title: text,
  url: z.url(),
  /** The secondary report the figure was read in, when the primary document was not at hand. */
  via: text.optional(),
});

const provenance = {
  source: SourceSchema,
  asOf: IsoDateSchema,
  basis: text,
  /** The value is our arithmetic or inference, not a published figure (said in basis how). */
  estimate: z.boolean().optional(),
};

export const ProvenanceSchema = z.strictObject(provenance);

/** One sourced figure: a value with its unit and provenance. */
export function figureSchema<T extends z.ZodType>(value: T) {
  return z.strictObject({ value, unit: text, ...provenance });
}

const idSchema = z.string().regex(/^[a-z0-9]+(_[a-z0-9]+)*$/, "must be snake_case");
const aliasesSchema = z.array(text);

const number = figureSchema(z.number().finite());
const count = figureSchema(z.number().int().nonnegative());

export const PoolCountSchema = z.strictObject({
  name: text,
  slug: z.string().regex(/^[a-z0-9]+$/),
  blockCount: z.number().int().nonnegative(),
});

const poolsFileSchema = figureSchema(z.array(PoolCountSchema).min(1));

export const RegionFileSchema = z.strictObject({
  id: idSchema,
  /** The country or state as a ranking names it, with no qualifier ("United States", not "… (average)"). */
  name: text,
  /** What the price describes, for titles ("average industrial price", "Rate L, existing large power"). */
  priceLabel: text,
  aliases: aliasesSchema,
  price: figureSchema(z.number().positive().max(2)),
  /** For a part of a country listed on its own (texas → us_average): its hashrate is in the country's. */
  partOf: idSchema.optional(),
  /** Listed for comparison only (China: mining banned). */
  referenceOnly: z.boolean().optional(),
});

/** One dated set of whole-network country shares, so every share in an answer has the same vintage. */
const countrySharesFileSchema = figureSchema(z.record(idSchema, z.number().min(0).max(100)));

export const MachineSchema = z.strictObject({
  id: idSchema,
  name: text,
  maker: text,
  aliases: aliasesSchema,
  hashrateThs: z.number().positive(),
  powerW: z.number().positive(),
  efficiencyJPerTh: z.number().positive(),
  /** Unit price in USD when a deal price is published. */
  priceUsd: z.number().positive().optional(),
  released: IsoDateSchema,
  spec: ProvenanceSchema,
});

export const MakerSchema = z.strictObject({
  name: text,
  /** 0–100, or null when only the remainder is known. */
  sharePct: z.number().min(0).max(100).nullable(),
});

export const ForecastScopeSchema = z.enum(["edge_ai_total", "edge_ai_chips", "edge_ai_hardware"]);

export const ForecastSchema = z.strictObject({
  id: idSchema,
  name: text,
  scope: ForecastScopeSchema,
  /** The firm whose forecast it is; several editions of one firm's forecast count as one forecast. */
  publisher: text,
  startYear: z.number().int(),
  startUsdB: z.number().positive(),
  endYear: z.number().int(),
  endUsdB: z.number().positive(),
  /** As published, 0–100, with the years it is quoted over (which may differ from start–end). */
  publishedCagr: z
    .strictObject({
      pct: z.number(),
      /** The years the rate is quoted over, when the source says. */
      fromYear: z.number().int().optional(),
      toYear: z.number().int().optional(),
    })
    .optional(),
  /** The end value is published as a floor ("over $107B"): the projection is a lower bound. */
  endIsLowerBound: z.boolean().optional(),
  /** A later edition of the same publisher's forecast replaces this one in ranges. */
  supersededBy: idSchema.optional(),
  ...provenance,
});

/** Architecture numbers from a model's config.json: enough to count its tensors and its KV cache. */
export const ModelSchema = z.strictObject({
  id: idSchema,
  name: text,
  aliases: aliasesSchema,
  /** Total parameters as the model card states them, billions (checked against the architecture). */
  paramsB: z.number().positive(),
  layers: z.number().int().positive(),
  hiddenSize: z.number().int().positive(),
  /** Dense feed-forward width (for MoE models, the width of one expert is in moe). */
  intermediateSize: z.number().int().positive(),
  vocabSize: z.number().int().positive(),
  attentionHeads: z.number().int().positive(),
  kvHeads: z.number().int().positive(),
  headDim: z.number().int().positive(),
  /** The output projection reuses the token embedding (no separate output tensor). */
  tiedEmbeddings: z.boolean(),
  /** Longest context the model was trained for, in tokens. */
  maxContext: z.number().int().positive(),
  /** Local-attention layers keep only the last `tokens`; every `globalEvery`-th layer attends to all. */
  slidingWindow: z
    .strictObject({ tokens: z.number().int().positive(), globalEvery: z.number().int().min(1) })
    .optional(),
  moe: z
    .strictObject({
      experts: z.number().int().positive(),
      expertsPerToken: z.number().int().positive(),
      expertIntermediateSize: z.number().int().positive(),
      /** Expert weights ship in this format whatever the rest is quantized to (gpt-oss: MXFP4). */
      nativeExpertFormat: z.enum(["mxfp4"]).optional(),
    })
    .optional(),
  /** Published GGUF file sizes, GB (10^9 bytes), for the size check. */
  publishedGguf: z
    .array(
      z.strictObject({
        quant: z.enum(["fp16", "q8_0", "q4_k_m", "mxfp4"]),
        sizeGb: z.number().positive(),
        source: SourceSchema,
        asOf: IsoDateSchema,
      }),
    )
    .optional(),
  ...provenance,
});

export const DeviceKindSchema = z.enum(["phone", "sbc", "embedded", "laptop", "desktop_gpu"]);
/** How a runtime reaches the memory: sets the share of peak bandwidth decode achieves. */
export const BackendClassSchema = z.enum(["discrete_gpu", "apple_unified", "embedded_gpu", "cpu", "phone"]);

export const DeviceSchema = z.strictObject({
  id: idSchema,
  name: text,
  aliases: aliasesSchema,
  kind: DeviceKindSchema,
  backend: BackendClassSchema,
  /** Total memory the device has. */
  memoryGb: z.number().positive(),
  /** What a model can use after the OS and other apps (what the fit is checked against). */
  usableMemoryGb: z.number().positive(),
  bandwidthGbs: z.number().positive(),
  ...provenance,
});

/** A published decode-speed measurement the edge-fit speed estimate is calibrated against. */
export const MeasurementSchema = z.strictObject({
  model: idSchema,
  device: idSchema,
  quant: z.enum(["fp16", "q8_0", "q4_k_m"]),
  /** Tokens in the cache on average while the measured tokens were generated. */
  meanContext: z.number().int().nonnegative(),
  tokensPerSecond: z.number().positive(),
  /** What exactly was measured (tool, column, run). */
  basis: text,
});

/** One publication's runs, with its provenance. */
const measurementSetSchema = z.strictObject({
  source: SourceSchema,
  asOf: IsoDateSchema,
  basis: text,
  runs: z.array(MeasurementSchema).min(1),
});
const measurementsFileSchema = z.array(measurementSetSchema).min(1);

const networkFileSchema = z.strictObject({
  /** When the snapshot as a whole was assembled. */
  assembledAt: IsoDateSchema,
  difficulty: number,
  btcPriceUsd: number,
  /** Average fees per block in BTC over the window the basis names. */
  feesPerBlockBtc: number,
  tipHeight: count,
  /** Industry-wide average efficiency, the default when no machine or efficiency is given. */
  fleetEfficiencyJPerTh: number,
});

/** Every file under src/data/snapshot/, by name. */
export const SnapshotFilesSchema = z.strictObject({
  network: networkFileSchema,
  "pools-1w": poolsFileSchema,
  "pools-1m": poolsFileSchema,
  /** Pools that build on AntPool's block template (b10c), for the grouped pools view. */
  "pool-groups": figureSchema(z.array(text).min(1)),
  regions: z.array(RegionFileSchema).min(1),
  "country-shares": countrySharesFileSchema,
  asics: z.array(MachineSchema).min(1),
  makers: figureSchema(z.array(MakerSchema).min(1)),
  forecasts: z.array(ForecastSchema).min(1),
  models: z.array(ModelSchema).min(1),
  devices: z.array(DeviceSchema).min(1),
  "speed-measurements": measurementsFileSchema,
});

export type SnapshotFiles = z.infer<typeof SnapshotFilesSchema>;
export type Source = z.infer<typeof SourceSchema>;
export type Sourced = z.infer<typeof ProvenanceSchema>;
export type SourcedValue<T> = Sourced & { value: T; unit: string };
export type PoolCount = z.infer<typeof PoolCountSchema>;
export type Machine = z.infer<typeof MachineSchema>;
export type Maker = z.infer<typeof MakerSchema>;
export type ForecastScope = z.infer<typeof ForecastScopeSchema>;
export type Forecast = z.infer<typeof ForecastSchema>;
export type ModelPreset = z.infer<typeof ModelSchema>;
export type DevicePreset = z.infer<typeof DeviceSchema>;
export type BackendClass = z.infer<typeof BackendClassSchema>;
export type SpeedMeasurement = z.infer<typeof MeasurementSchema>;
export type SpeedMeasurementSet = z.infer<typeof measurementSetSchema>;

/** A region as answers use it: its file entry joined with its share from the one country-share vintage. */
export type Region = z.infer<typeof RegionFileSchema> & {
  usdPerKwh: number;
  /** What the price is (the price figure's basis). */
  basis: string;
  /** Share of network hashrate, 0–100; null when the vintage has no figure for this place. */
  hashrateSharePct: number | null;
  share: SourcedValue<number | null>;
};

/** The snapshot as commands see it: the files, validated, with regions joined to their shares. */
export function assembleSnapshot(files: SnapshotFiles) {
  const {
    network: networkFile,
    "pools-1w": pools1w,
    "pools-1m": pools1m,
    "pool-groups": antpoolTemplateGroup,
    regions: regionFiles,
    "country-shares": shares,
    asics,
    "speed-measurements": speedMeasurements,
    // A dataset added to SnapshotFilesSchema arrives here under its file name, as it is.
    ...datasets
  } = files;
  const { value: byRegion, ...shareProvenance } = shares;
  for (const id of Object.keys(byRegion)) {
    if (!regionFiles.some((r) => r.id === id)) throw new Error(`country-shares: unknown region "${id}"`);
  }
  const regions: Region[] = regionFiles.map((r) => {
    const sharePct = byRegion[r.id] ?? null;
    return {
      ...r,
      usdPerKwh: r.price.value,
      basis: r.price.basis,
      hashrateSharePct: sharePct,
      share: { ...shareProvenance, value: sharePct },
    };
  });
  const { assembledAt, fleetEfficiencyJPerTh, ...network } = networkFile;
  return {
    ...datasets,
    assembledAt,
    network: { ...network, pools1w, pools1m },
    fleetEfficiencyJPerTh,
    regions,
    machines: asics,
    antpoolTemplateGroup,
    speedMeasurements,
  };
}

export type Snapshot = ReturnType<typeof assembleSnapshot>;

/** The publisher as an answer's sources line names it: its short name, else the name without its
 * parenthesised part ("Hashrate Index (Luxor Technology)" → "Hashrate Index"). */
export function publisherName(source: Source): string {
  return source.short ?? source.publisher.split(" (")[0]!;
}

/** A source as one line: "Publisher, Title (via …)". */
export function describeSource(source: Source): string {
  return `${source.publisher}, ${source.title}${source.via ? ` (via ${source.via})` : ""}`;
}
