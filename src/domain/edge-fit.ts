/** Whether an open model runs on a device: memory for weights, KV cache and runtime against the
 * device's memory, and the decode speed its memory bandwidth allows. */

import { requireNonNegativeInteger, requirePositive, requirePositiveInteger } from "./guards.ts";
import { BYTES_PER_GB } from "./units.ts";

export type Quant = "fp16" | "q8_0" | "q4_k_m";
/** Best precision first, so the first one that fits is the one to recommend. */
export const QUANTS: readonly Quant[] = ["fp16", "q8_0", "q4_k_m"];
/** GGUF sizes: q8_0 stores a 2-byte scale per 32 one-byte weights (34/32 ≈ 1.06); q4_k_m mixes 4- and
 * 6-bit blocks with scales, about 4.8 bits per weight on Llama-class models. */
export const BYTES_PER_PARAM: Record<Quant, number> = { fp16: 2, q8_0: 1.06, q4_k_m: 0.6 };

/** Decode rarely reaches the memory's peak bandwidth (KV-cache reads, kernel overheads, cache misses);
 * llama.cpp-class runtimes are commonly reported at roughly half to three quarters of it, so 0.6 gives
 * a realistic ceiling rather than the theoretical one. */
export const DECODE_EFFICIENCY = 0.6;
/** Runtime, compute buffers and the context's scratch space beyond the KV cache take a few hundred MB
 * in llama.cpp-class runtimes; 0.5 GB keeps the verdict on the safe side. */
export const RUNTIME_OVERHEAD_GB = 0.5;

/** Params in billions × bytes per param is directly GB (1e9 × bytes / 1e9). */
export function weightsGb(paramsB: number, quant: Quant): number {
  requirePositive("paramsB", paramsB);
  const bytesPerParam = BYTES_PER_PARAM[quant];
  if (bytesPerParam === undefined) throw new RangeError(`unknown quant: ${quant}`);
  return paramsB * bytesPerParam;
}

/** Keys and values (hence 2×) for every layer and every KV head. kvHeads, not attention heads:
 * grouped-query models share each KV head among several query heads and store up to 8× less. */
export function kvCacheGb(a: {
  layers: number;
  kvHeads: number;
  headDim: number;
  context: number;
  /** Default 2: an fp16 cache, what runtimes use unless told to quantize it. */
  bytesPerElement?: number;
}): number {
  requirePositiveInteger("layers", a.layers);
  requirePositiveInteger("kvHeads", a.kvHeads);
  requirePositiveInteger("headDim", a.headDim);
  requireNonNegativeInteger("context", a.context);
  const bytesPerElement = requirePositive("bytesPerElement", a.bytesPerElement ?? 2);
  return (2 * a.layers * a.kvHeads * a.headDim * a.context * bytesPerElement) / BYTES_PER_GB;
}

export interface FitInput {
  paramsB: number;
  quant: Quant;
  layers: number;
  kvHeads: number;
  headDim: number;
  /** Context the user wants, tokens. */
  context: number;
  /** Longest context the model supports, tokens. */
  maxContext: number;
  memoryGb: number;
  bandwidthGbs: number;
}

export interface FitResult {
  weightsGb: number;
  kvCacheGb: number;
  overheadGb: number;
  totalGb: number;
  memoryGb: number;
  fits: boolean;
  /** Longest context that fits in memory at the requested quant, capped at the model's own maximum. */
  maxContext: number;
  /** Most precise quant that fits at the requested context. */
  bestQuant: Quant | null;
  /** Upper bound on decode speed. */
  tokensPerSecond: number;
  /** Memory left after everything; negative when it does not fit. */
  headroomGb: number;
}

export function edgeFit(i: FitInput): FitResult {
  requirePositiveInteger("maxContext", i.maxContext);
  requirePositive("memoryGb", i.memoryGb);
  requirePositive("bandwidthGbs", i.bandwidthGbs);
  const shape = { layers: i.layers, kvHeads: i.kvHeads, headDim: i.headDim };
  // One expression for "fits" everywhere, so fits, maxContext and bestQuant can never disagree.
  const totalAt = (quant: Quant, context: number): number =>
    weightsGb(i.paramsB, quant) + kvCacheGb({ ...shape, context }) + RUNTIME_OVERHEAD_GB;
  const fitsAt = (quant: Quant, context: number): boolean => totalAt(quant, context) <= i.memoryGb;

  const weights = weightsGb(i.paramsB, i.quant);
  const kv = kvCacheGb({ ...shape, context: i.context });
  const totalGb = totalAt(i.quant, i.context);
  return {
    weightsGb: weights,
    kvCacheGb: kv,
    overheadGb: RUNTIME_OVERHEAD_GB,
    totalGb,
    memoryGb: i.memoryGb,
    fits: totalGb <= i.memoryGb,
    maxContext: largestFittingContext(i.maxContext, (context) => fitsAt(i.quant, context), {
      freeGb: i.memoryGb - weights - RUNTIME_OVERHEAD_GB,
      gbPerToken: kvCacheGb({ ...shape, context: 1 }),
    }),
    bestQuant: QUANTS.find((q) => fitsAt(q, i.context)) ?? null,
    // Each generated token reads every weight once, so bandwidth ÷ model size bounds tokens/s.
    tokensPerSecond: (DECODE_EFFICIENCY * i.bandwidthGbs) / weights,
    headroomGb: i.memoryGb - totalGb,
  };
}

/** The KV cache grows linearly, so division gives the answer; the nudges afterwards settle the last
 * token against the exact fit test, where floating-point division may be one off. */
function largestFittingContext(
  cap: number,
  fits: (context: number) => boolean,
  linear: { freeGb: number; gbPerToken: number },
): number {
  if (!fits(0)) return 0;
  let context = Math.min(cap, Math.floor(linear.freeGb / linear.gbPerToken));
  while (context > 0 && !fits(context)) context--;
  while (context < cap && fits(context + 1)) context++;
  return context;
}
