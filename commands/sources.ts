import { z } from "zod";
import { type DatasetStatus, defineCommand, fmt } from "../src/core/index.ts";
import { describeSource, type Sourced } from "../src/core/snapshot.ts";

export default defineCommand({
  name: "sources",
  description: "Every dataset the answers use: source, as-of, fetched-at, age and status",
  options: [],
  args: z.object({}),
  examples: ["/sources"],
  usesUpstream: false,
  async run(_args, { deps }) {
    const { snapshot } = deps;
    const now = deps.clock.now().toISOString();
    const live = await deps.network.datasets();
    const bundled: DatasetStatus[] = [
      oldest(
        "Regional power prices",
        snapshot.regions.map((r) => r.price),
      ),
      single("Hashrate shares by country", snapshot.regions[0]!.share),
      oldest(
        "ASIC specs",
        snapshot.machines.map((m) => m.spec),
      ),
      single("ASIC maker shares", snapshot.makers),
      single("Fleet-average efficiency", snapshot.fleetEfficiencyJPerTh),
      single("Pools sharing AntPool's template", snapshot.antpoolTemplateGroup),
      single("Pool blocks (1w), bundled", snapshot.network.pools1w),
      single("Pool blocks (1m), bundled", snapshot.network.pools1m),
      oldest("Edge-AI forecasts", snapshot.forecasts),
      oldest("Model configs", snapshot.models),
      oldest("Device specs", snapshot.devices),
      oldest("Decode-speed measurements (edge_fit calibration)", snapshot.speedMeasurements),
    ];
    const datasets = [...live, ...bundled];
    const stale = live.filter((d) => d.status === "stale" || d.status === "snapshot").length;
    const notFresh = live.filter((d) => d.status !== "live" && d.status !== "cached");
    const oldestBundled = bundled.reduce((a, b) => (b.asOf < a.asOf ? b : a));
    return {
      headline: `${live.length - stale} of ${live.length} live datasets are fresh; ${bundled.length} bundled reference datasets, snapshot assembled ${snapshot.assembledAt.slice(0, 10)}.`,
      figures: [
        { label: "Live, fresh or cached", value: `${live.length - stale} of ${live.length}` },
        ...(notFresh.length
          ? [
              {
                label: "Not fresh",
                value:
                  notFresh.length === live.length
                    ? `all ${live.length} (${[...new Set(notFresh.map((d) => d.status))].join(", ")})`
                    : notFresh.map((d) => `${d.name} (${d.status})`).join(", "),
              },
            ]
          : []),
        { label: "Bundled datasets", value: String(bundled.length) },
        {
          label: "Oldest bundled figure",
          value: `${oldestBundled.name}, ${oldestBundled.asOf.slice(0, 10)}`,
        },
      ],
      title: "Sources",
      summary: `${live.length} live datasets (${stale ? `${stale} not fresh` : "all fresh or cached"}) and ${bundled.length} bundled reference datasets (snapshot assembled ${snapshot.assembledAt.slice(0, 10)}).`,
      // Publishers' names are long; they go in fields so the table stays narrow enough for a phone.
      table: {
        columns: ["Dataset", "Status", "As of", "Age"],
        rows: datasets.map((d) => [
          d.name,
          d.status,
          d.asOf.slice(0, 16).replace("T", " "),
          fmt.age(d.fetchedAt ?? d.asOf, now),
        ]),
      },
      fields: datasets.map((d) => ({ name: d.name, value: d.source })),
      sources: [],
      data: { datasets },
    };
  },
});

/** One figure: its source document, never its basis or caveats (those are not sources). */
function single(name: string, figure: Sourced): DatasetStatus {
  return {
    name,
    source: `${describeSource(figure.source)} — ${figure.source.url}`,
    asOf: figure.asOf,
    status: "snapshot",
  };
}

/** A group of figures, dated by its oldest member so the age is never understated. */
function oldest(name: string, figures: readonly Sourced[]): DatasetStatus {
  const first = figures.reduce((a, b) => (b.asOf < a.asOf ? b : a));
  const publishers = [...new Set(figures.map((f) => f.source.publisher))];
  const source =
    publishers.length > 3
      ? `${publishers.slice(0, 3).join("; ")} and ${publishers.length - 3} more`
      : publishers.join("; ");
  return { name: `${name} (${figures.length})`, source, asOf: first.asOf, status: "snapshot" };
}
