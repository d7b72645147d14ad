import type { SourceRef } from "../../src/core/index.ts";
import { describeSource, type Sourced } from "../../src/core/snapshot.ts";

/** A bundled reference figure as a source line (reference data is not a fallback, so no warning). Its age
 * is the figure's own asOf. */
export function snapshotSource(name: string, figure: Sourced): SourceRef {
  return { name, source: describeSource(figure.source), asOf: figure.asOf, status: "snapshot" };
}

/** One source line per distinct document, each dated by its own asOf, so an old figure ages only the
 * line it sits on, not every figure listed next to it. */
export function snapshotSources(
  name: string,
  items: ReadonlyArray<{ label: string; figure: Sourced }>,
): SourceRef[] {
  const byDocument = new Map<string, { labels: string[]; figure: Sourced }>();
  for (const { label, figure } of items) {
    const key = `${describeSource(figure.source)}|${figure.asOf}`;
    const seen = byDocument.get(key);
    if (seen) seen.labels.push(label);
    else byDocument.set(key, { labels: [label], figure });
  }
  return [...byDocument.values()].map(({ labels, figure }) =>
    snapshotSource(`${name}, ${labels.join(", ")}`, figure),
  );
}
