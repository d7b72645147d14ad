/** Shapes of the bundled history datasets the trend command reads (src/data/snapshot/*.json). Every
 * figure names its publisher, document and URL, the date it describes and what exactly it is. */

export interface FigureSource {
  publisher: string;
  title: string;
  url: string;
}

export interface Figure<T = number> {
  value: T;
  unit: string;
  source: FigureSource;
  /** The date the figure describes, ISO 8601 ("2024", "2024-09" or "2024-09-30"). */
  asOf: string;
  /** What the number is exactly, and any caveat (secondary source, estimate, recalled). */
  basis: string;
}

export interface BenchmarkScore extends Figure {
  benchmark: string;
}

export interface OpenModel {
  id: string;
  name: string;
  developer: string;
  /** Release date, ISO. */
  released: string;
  paramsB: Figure;
  /** Parameters used per token, for mixture-of-experts models. */
  activeParamsB?: Figure;
  scores: BenchmarkScore[];
}

export interface CapabilityLevel {
  id: string;
  name: string;
  benchmark: string;
  score: Figure;
}

export interface OpenModelsDataset {
  levels: CapabilityLevel[];
  /** Published doubling time of capability density (the densing law), the reference for the fit. */
  densingLaw: Figure;
  models: OpenModel[];
}

export type CountrySharesPoint = Figure<{ name: string; sharePct: number }[]>;

export interface MakerSharePoint extends Figure {
  maker: string;
}

export interface FleetEfficiencyPoint extends Figure {
  /** fleet_average: what the network burns; best_new_machine: the best machine on sale then. */
  kind: "fleet_average" | "best_new_machine";
  machine?: string;
}

export interface TrendDatasets {
  openModels: OpenModelsDataset;
  countryShares: CountrySharesPoint[];
  makerShares: MakerSharePoint[];
  fleetEfficiency: FleetEfficiencyPoint[];
}
