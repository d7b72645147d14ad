/** Shapes of the bundled snapshot: reference figures every answer can fall back on. Each figure
 * carries the source it was taken from and the date that source carries. */

export interface Sourced {
  /** Publisher and document, e.g. "EIA Electric Power Monthly, Table 5.6.A". */
  source: string;
  /** The date the source carries, ISO 8601 ("2025-11" or "2025-11-30"). */
  asOf: string;
  /** Optional caveat shown next to the figure (secondary source, estimate, conflict). */
  note?: string;
}

export interface SourcedValue<T> extends Sourced {
  value: T;
}

export interface Region {
  id: string;
  name: string;
  /** Lower-case alternative spellings a user may type ("us", "usa", "tx"). */
  aliases: string[];
  usdPerKwh: number;
  /** What the price is: "industrial average 2025", "ANDE intensive-consumption tariff, 66 kV". */
  basis: string;
  price: Sourced;
  /** Share of global hashrate, 0–100. */
  hashrateSharePct: number;
  share: Sourced;
  /** For a part of a country listed on its own (texas → us_average): its share is already in the
   * country's, so country-level concentration skips it. */
  partOf?: string;
  /** True for places listed for comparison only (China: mining banned). */
  referenceOnly?: boolean;
}

export interface Machine {
  id: string;
  name: string;
  maker: string;
  aliases: string[];
  hashrateThs: number;
  powerW: number;
  efficiencyJPerTh: number;
  /** Unit price in USD when a deal price is published. */
  priceUsd?: number;
  released: string;
  spec: Sourced;
}

export interface Maker {
  name: string;
  /** 0–100, or null when only the remainder is known. */
  sharePct: number | null;
}

export type ForecastScope = "edge_ai_total" | "edge_ai_chips" | "edge_ai_hardware";

export interface Forecast extends Sourced {
  id: string;
  name: string;
  scope: ForecastScope;
  publisher: string;
  startYear: number;
  startUsdB: number;
  endYear: number;
  endUsdB: number;
  /** As published, 0–100; the answer recomputes it from the endpoints. */
  publishedCagrPct?: number;
}

export interface ModelPreset extends Sourced {
  id: string;
  name: string;
  aliases: string[];
  paramsB: number;
  layers: number;
  kvHeads: number;
  headDim: number;
  /** Longest context the model was trained for, in tokens. */
  maxContext: number;
}

export interface DevicePreset extends Sourced {
  id: string;
  name: string;
  aliases: string[];
  kind: "phone" | "sbc" | "embedded" | "laptop" | "desktop_gpu";
  /** Total memory the device has. */
  memoryGb: number;
  /** What a model can use after the OS and other apps (what the fit is checked against). */
  usableMemoryGb: number;
  bandwidthGbs: number;
}

export interface PoolCount {
  name: string;
  slug: string;
  blockCount: number;
}

export interface Snapshot {
  /** When the snapshot as a whole was assembled. */
  assembledAt: string;
  network: {
    difficulty: SourcedValue<number>;
    btcPriceUsd: SourcedValue<number>;
    /** Average fees per block in BTC over a recent window. */
    feesPerBlockBtc: SourcedValue<number>;
    tipHeight: SourcedValue<number>;
    /** Pool block counts over one week (the 1w window); "Unknown" listed as a pool named Unknown. */
    pools1w: SourcedValue<PoolCount[]>;
    pools1m: SourcedValue<PoolCount[]>;
  };
  /** Cambridge 2025 fleet-average efficiency, the default when no machine or efficiency is given. */
  fleetEfficiencyJPerTh: SourcedValue<number>;
  regions: Region[];
  machines: Machine[];
  makers: SourcedValue<Maker[]>;
  /** Pools that build on the same block template as AntPool (b10c), for the grouped pools view. */
  antpoolTemplateGroup: SourcedValue<string[]>;
  forecasts: Forecast[];
  models: ModelPreset[];
  devices: DevicePreset[];
}
