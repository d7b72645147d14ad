import {
  argsSchema,
  choiceOption,
  defineCommand,
  flagOption,
  fmt,
  optionSpecs,
  type ReplyField,
  type SourceRef,
} from "../src/core/index.ts";
import {
  type ConcentrationResult,
  concentration,
  hhiBand,
  mergeEntities,
} from "../src/domain/concentration.ts";
import { sharePanels, shortRegionName } from "./shared/charts.ts";
import { weightedRegions } from "./shared/network-inputs.ts";
import { action, snapshotSource } from "./shared/sources.ts";

const LAYERS = ["all", "pools", "countries", "makers"] as const;
const WINDOWS = ["1w", "1m"] as const;
const options = {
  layer: choiceOption("layer", LAYERS, {
    description: "Which layer: pools, countries, makers or all",
    default: "all",
    example: "pools",
    aliases: { pool: "pools", country: "countries", geography: "countries", maker: "makers", asic: "makers" },
  }),
  window: choiceOption("window", WINDOWS, {
    description: "Pool window: 1w or 1m",
    default: "1w",
    example: "1m",
    aliases: { week: "1w", weekly: "1w", month: "1m", monthly: "1m" },
  }),
  grouped: flagOption("grouped", {
    description: "Count pools that share AntPool's block template as one",
    default: false,
    example: "true",
  }),
};

type Layer = ConcentrationResult & { label: string };

export default defineCommand({
  name: "concentration",
  description: "Nakamoto coefficient and HHI for mining pools, countries and ASIC makers",
  options: optionSpecs(options),
  args: argsSchema(options),
  examples: ["/concentration", "/concentration pools 1m", "/concentration pools grouped=true"],
  usesUpstream: true,
  async run(args, { deps }) {
    const { snapshot } = deps;
    const want = (l: (typeof LAYERS)[number]) => args.layer === "all" || args.layer === l;
    const layers: Record<string, Layer> = {};
    const sources: SourceRef[] = [];
    const notes: string[] = [];
    if (want("pools")) {
      const pools = await deps.network.pools(args.window);
      const unknown = pools.value.pools.filter(
        (p) => p.slug === "unknown" || p.name.toLowerCase() === "unknown",
      );
      let named = sumByName(
        pools.value.pools
          .filter((p) => !unknown.includes(p))
          .map((p) => ({ name: p.name, weight: p.blockCount })),
      );
      if (args.grouped)
        named = mergeEntities(named, "AntPool & template sharers", snapshot.antpoolTemplateGroup.value);
      const unattributedWeight = unknown.reduce((s, p) => s + p.blockCount, 0);
      layers.pools = {
        label: `Pools (${args.window}, ${fmt.num(pools.value.totalBlocks)} blocks)`,
        ...concentration(named, { unattributedWeight }),
      };
      sources.push(pools.source);
      if (args.grouped)
        sources.push(snapshotSource("Pools sharing AntPool's template", snapshot.antpoolTemplateGroup));
      else notes.push("Several pools mine on AntPool's block template; grouped=true counts them as one.");
    }
    if (want("countries")) {
      const countries = weightedRegions(snapshot.regions);
      const entities = countries.map((r) => ({ name: r.name, weight: r.hashrateSharePct }));
      const listed = entities.reduce((s, e) => s + e.weight, 0);
      layers.countries = {
        label: "Countries (hashrate share)",
        ...concentration(entities, { unattributedWeight: Math.max(0, 100 - listed) }),
      };
      // One vintage for every share, so one source line with its date.
      sources.push(snapshotSource("Hashrate shares by country", countries[0]!.share));
    }
    if (want("makers")) {
      const makers = snapshot.makers.value;
      const known = makers
        .filter((m) => m.sharePct !== null)
        .map((m) => ({ name: m.name, weight: m.sharePct! }));
      const rest = 100 - known.reduce((s, m) => s + m.weight, 0);
      layers.makers = {
        label: "ASIC makers",
        ...concentration(known, {
          unattributedWeight: rest,
          remainderIsUnsplit: makers.some((m) => m.sharePct === null),
        }),
      };
      sources.push(snapshotSource("ASIC maker shares", snapshot.makers));
    }
    const fields: ReplyField[] = Object.values(layers).map((l) => ({ name: l.label, value: describe(l) }));
    if (notes.length) fields.push({ name: "Note", value: notes.join(" ") });
    const data = {
      layers: Object.fromEntries(Object.entries(layers).map(([k, { label: _label, ...l }]) => [k, l])),
    };
    const shown = Object.values(layers);
    const first = shown[0]!;
    const entitiesWord = (n: number | null) =>
      n === null ? "no set of named entities holds" : n === 1 ? "1 entity holds" : `${n} entities hold`;
    return {
      headline:
        shown.length === 1
          ? `${first.label}: ${entitiesWord(first.nakamotoCoefficient)} more than 50% (Nakamoto ${first.nakamotoCoefficient ?? "n/a"}), HHI ${first.lowerBound ? "≥ " : ""}${fmt.num(first.hhi)}.`
          : `Nakamoto coefficient: ${shown.map((l) => `${shortLabel(l.label)} ${l.nakamotoCoefficient ?? "n/a"}`).join(", ")} — it takes that few to control more than half.`,
      figures: shown.flatMap((l) => [
        {
          label: `${shortLabel(l.label)} Nakamoto`,
          value: `${l.nakamotoCoefficient ?? "n/a"} (top: ${shortRegionName(l.entities[0]?.name ?? "—")} ${fmt.pct(l.entities[0]?.sharePct ?? 0)})`,
        },
        {
          label: `${shortLabel(l.label)} HHI`,
          value: `${l.lowerBound ? "≥ " : ""}${fmt.num(l.hhi)} (${hhiBand(l.hhi)})`,
        },
      ]),
      // One layer has room for its largest entities too.
      ...(shown.length === 1
        ? {
            figures: [
              {
                label: `${shortLabel(first.label)} Nakamoto`,
                value: String(first.nakamotoCoefficient ?? "n/a"),
              },
              {
                label: "HHI",
                value: `${first.lowerBound ? "≥ " : ""}${fmt.num(first.hhi)} (${hhiBand(first.hhi)})`,
              },
              {
                label: "Largest",
                value: first.entities
                  .slice(0, 3)
                  .map((e) => `${shortRegionName(e.name)} ${fmt.pct(e.sharePct)}`)
                  .join(", "),
              },
              ...(first.unattributedPct > 0
                ? [{ label: "Unattributed", value: fmt.pct(first.unattributedPct) }]
                : []),
            ],
          }
        : {}),
      chart: sharePanels(shown),
      actions: [
        args.window === "1w"
          ? action("Pools, last month", "concentration", { layer: "pools", window: "1m" })
          : action("Pools, last week", "concentration", { layer: "pools", window: "1w" }),
        action("Where mining pays", "migration", {}),
        action("Sources", "sources", {}),
      ],
      title: "How concentrated is Bitcoin mining?",
      summary: Object.values(layers)
        .map(
          (l) =>
            `${l.label}: Nakamoto ${l.nakamotoCoefficient ?? "n/a"}, HHI ${fmt.num(l.hhi)}${l.lowerBound ? " (at least)" : ""}`,
        )
        .join(". "),
      fields,
      sources,
      data,
    };
  },
});

/** "Pools (1w, 1,000 blocks)" → "Pools": the layer's name in a figure's label. */
function shortLabel(label: string): string {
  return label.replace(/\s*\(.*\)$/, "");
}

/** Upstreams sometimes list one pool twice (renamed slugs); it is one entity. */
function sumByName(entities: { name: string; weight: number }[]): { name: string; weight: number }[] {
  const byName = new Map<string, { name: string; weight: number }>();
  for (const e of entities) {
    const seen = byName.get(e.name.toLowerCase());
    if (seen) seen.weight += e.weight;
    else byName.set(e.name.toLowerCase(), { ...e });
  }
  return [...byName.values()].filter((e) => e.weight > 0);
}

function describe(layer: Layer): string {
  const nc =
    layer.nakamotoCoefficient === null
      ? "no set of named entities holds more than 50%"
      : `${layer.nakamotoCoefficient} ${layer.nakamotoCoefficient === 1 ? "entity holds" : "entities hold"} more than 50%`;
  const bound = layer.lowerBound ? "at least " : "";
  const top = layer.entities
    .slice(0, 5)
    .map((e) => `${e.name} ${fmt.pct(e.sharePct)}`)
    .join(", ");
  const unknown = layer.unattributedPct > 0 ? `; unattributed ${fmt.pct(layer.unattributedPct)}` : "";
  return `Nakamoto coefficient ${layer.nakamotoCoefficient ?? "n/a"} (${nc}). HHI ${bound}${fmt.num(layer.hhi)} — ${hhiBand(layer.hhi)}. Top: ${top}${unknown}.`;
}
