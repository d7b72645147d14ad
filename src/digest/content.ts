/** The digest post: one field per section, each built from the same command a user would run, with
 * that section's sources, their age, and a warning for anything stale or from the snapshot.
 *
 * A scheduled digest is built once per (scheduled time, set of sections) and shared by every chat
 * that gets it: a thousand chats subscribed to 08:00 cost one round of data look-ups, and they all
 * see the same numbers. */

import type { Registry } from "../core/command.ts";
import { fmt } from "../core/index.ts";
import type { Datum, Deps, DifficultyAdjustment, DigestSection } from "../core/ports.ts";
import type { ChartSpec, KeyFigure, Reply, ReplyField, SourceRef } from "../core/reply.ts";
import { finishReply, freshnessNote, runCommand, withFreshness } from "../core/run.ts";

export interface DigestContent {
  /** The digest for one scheduled time, shared by every chat with the same sections. */
  forScheduledTime(scheduledAt: Date, sections: readonly DigestSection[]): Promise<Reply>;
  /** The digest as it would be posted right now (preview); never shared. */
  build(sections: readonly DigestSection[]): Promise<Reply>;
  /** Forgets shared content no chat has asked for since `before`, so memory stays flat. Pruning by
   * last use, not by scheduled time: a time caught up hours late, or a burst of posts that outlasts
   * the retention, keeps its content for as long as chats are still being served from it. */
  prune(before: Date): void;
}

/** Commands run for a digest are not run by a person in a chat. */
const DIGEST_INVOCATION = { platform: "digest", chatId: "digest", canManage: false } as const;

const HEADINGS: Record<DigestSection, string> = {
  network: "Network",
  mining_cost: "Cost to mine 1 BTC",
  migration: "Where mining pays",
  concentration: "Concentration",
  edge_ai: "Edge AI outlook",
  trend: "Which way each side moves",
};

/** What one section contributes to the post. */
interface Section {
  heading: string;
  text: string;
  /** The section's answer in one line: its command's headline (without the freshness note, which
   * the post says once). */
  line?: string;
  /** A few words with the key number, for the post's headline: "BTC $90,000". */
  key?: string;
  chart?: ChartSpec;
  sources: SourceRef[];
  warnings: string[];
  data: Record<string, unknown>;
}

/** Which section's chart the post shows: the one that says most in a picture. */
const CHART_ORDER: readonly DigestSection[] = ["migration", "concentration", "mining_cost", "edge_ai"];

type RunByName = (name: string) => Promise<Reply>;

export function createDigestContent(options: { registry: Registry; deps: Deps }): DigestContent {
  const { registry, deps } = options;
  const shared = new Map<string, { lastUsedMs: number; reply: Promise<Reply> }>();

  async function build(sections: readonly DigestSection[], scheduledAt?: Date): Promise<Reply> {
    // One run per command per digest: "network" and "mining_cost" both read mining_cost's answer.
    const runs = new Map<string, Promise<Reply>>();
    const run: RunByName = (name) => {
      let reply = runs.get(name);
      if (!reply) {
        const command = registry.find(name);
        if (!command) throw new Error(`digest needs the ${name} command, which is not in the registry`);
        reply = runCommand(command, {}, { deps, invocation: DIGEST_INVOCATION });
        runs.set(name, reply);
      }
      return reply;
    };
    const built = await Promise.all(sections.map((section) => buildSection(section, run, deps)));
    return assemble(built, sections, deps.clock.now().toISOString(), scheduledAt);
  }

  return {
    build: (sections) => build(sections),

    forScheduledTime(scheduledAt, sections) {
      const key = `${scheduledAt.toISOString()}|${sections.join(",")}`;
      const nowMs = deps.clock.now().getTime();
      const existing = shared.get(key);
      if (existing) {
        existing.lastUsedMs = nowMs;
        return existing.reply;
      }
      const reply = build(sections, scheduledAt);
      shared.set(key, { lastUsedMs: nowMs, reply });
      // A failed build is not kept: the next chat (or retry) tries again.
      reply.catch(() => shared.delete(key));
      return reply;
    },

    prune(before) {
      for (const [key, entry] of shared) if (entry.lastUsedMs < before.getTime()) shared.delete(key);
    },
  };
}

async function buildSection(section: DigestSection, run: RunByName, deps: Deps): Promise<Section> {
  if (section === "network") return networkSection(run, deps);
  const reply = await run(section);
  if (reply.error) return unavailable(HEADINGS[section], reply);
  const line = reply.headline?.replace(` (${reply.freshness})`, "");
  return {
    heading: HEADINGS[section],
    text: reply.summary,
    ...(line ? { line } : {}),
    ...(keyOf(section, reply) ? { key: keyOf(section, reply)! } : {}),
    ...(reply.chart ? { chart: section === "concentration" ? poolsOnly(reply.chart) : reply.chart } : {}),
    sources: reply.sources,
    warnings: reply.warnings,
    data: reply.data,
  };
}

/** Price, difficulty and hashrate, hashprice and the next retarget: mining_cost's network inputs plus
 * the difficulty-adjustment estimate. */
async function networkSection(run: RunByName, deps: Deps): Promise<Section> {
  const [cost, adjustment] = await Promise.all([run("mining_cost"), deps.network.difficultyAdjustment()]);
  if (cost.error) return unavailable(HEADINGS.network, cost);
  const d = cost.data as {
    btcPriceUsd: number;
    difficulty: number;
    networkHashrateEhs: number;
    hashpriceUsdPerPhDay: number;
  };
  // mining_cost also cites bundled reference figures (power price, fleet efficiency); the network
  // section is about market data only, live or fallen back to the snapshot.
  const marketSources = cost.sources.filter((s) => s.status !== "snapshot" || s.fallback);
  const sources = [...marketSources, adjustment.source];
  // finishReply words the stale and fallback warnings exactly as every command does.
  const { warnings } = finishReply({ title: "", summary: "", sources, data: {} }, cost.generatedAt);
  return {
    heading: HEADINGS.network,
    line: `BTC ${fmt.usd(d.btcPriceUsd)} · ${fmt.num(d.networkHashrateEhs)} EH/s · hashprice ${fmt.usd(d.hashpriceUsdPerPhDay, 2)}/PH/s/day · next adjustment ${retarget(adjustment, cost.generatedAt).split(" at block")[0] || "soon"}`,
    key: `BTC ${fmt.usd(d.btcPriceUsd)}`,
    text:
      `BTC ${fmt.usd(d.btcPriceUsd)} · hashrate ${fmt.num(d.networkHashrateEhs)} EH/s ` +
      `(difficulty ${fmt.sig(d.difficulty / 1e12)} T) · hashprice ${fmt.usd(d.hashpriceUsdPerPhDay, 2)} per PH/s per day · ` +
      `next difficulty adjustment ${retarget(adjustment, cost.generatedAt)}`,
    sources,
    warnings,
    data: {
      btcPriceUsd: d.btcPriceUsd,
      difficulty: d.difficulty,
      networkHashrateEhs: d.networkHashrateEhs,
      hashpriceUsdPerPhDay: d.hashpriceUsdPerPhDay,
      difficultyAdjustment: adjustment.value,
    },
  };
}

function retarget({ value }: Datum<DifficultyAdjustment>, nowIso: string): string {
  const change = value.difficultyChangePct;
  const estimate =
    Number.isFinite(change) && change !== 0 ? `${change > 0 ? "+" : "−"}${fmt.pct(Math.abs(change))} ` : "";
  const eta =
    value.estimatedRetargetMs > Date.parse(nowIso)
      ? ` (~${fmt.age(nowIso, new Date(value.estimatedRetargetMs).toISOString())})`
      : "";
  return `${estimate}at block ${fmt.num(value.nextRetargetHeight)}, in ${fmt.num(value.remainingBlocks)} blocks${eta}`;
}

/** The key number of a section in a few words, for the post's headline. */
function keyOf(section: DigestSection, reply: Reply): string | undefined {
  const d = reply.data as Record<string, unknown>;
  if (section === "mining_cost" && typeof d.costPerBtcUsd === "number")
    return `1 BTC costs ${fmt.usd(d.costPerBtcUsd)} to mine`;
  if (section === "migration" && Array.isArray(d.regions) && d.regions[0])
    return `cheapest ${(d.regions[0] as { name: string }).name}`;
  if (section === "concentration") {
    const pools = (d.layers as Record<string, { nakamotoCoefficient: number | null }> | undefined)?.pools;
    if (pools) return `pools' Nakamoto coefficient ${pools.nakamotoCoefficient ?? "n/a"}`;
  }
  if (section === "edge_ai" && typeof d.valueUsdB === "number")
    return `edge AI $${fmt.num(d.valueUsdB, 0)}B by ${d.year}`;
  return undefined;
}

/** The digest shows one layer of concentration: the pools, which change from day to day. */
function poolsOnly(chart: ChartSpec): ChartSpec {
  const [pools] = chart.panels;
  return pools ? { title: pools.title ?? chart.title, panels: [{ ...pools, title: undefined }] } : chart;
}

function unavailable(heading: string, reply: Reply): Section {
  return {
    heading,
    text: `Unavailable right now: ${reply.summary}`,
    sources: [],
    warnings: [`${heading} could not be built for this digest.`],
    data: { error: reply.error },
  };
}

function assemble(
  sections: readonly Section[],
  names: readonly DigestSection[],
  generatedAt: string,
  scheduledAt: Date | undefined,
): Reply {
  const fields: ReplyField[] = sections.map((section) => ({
    name: section.heading,
    value: `${section.text}\n${sourcesLine(section.sources, generatedAt)}`,
  }));
  // Sections share inputs (the BTC price feeds three of them); say each problem once. Which section
  // it touches shows in that section's sources line.
  const warnings = unique(sections.flatMap((s) => s.warnings));
  const sources = uniqueSources(sections.flatMap((s) => s.sources));
  // Freshness once for the whole post, however many sections share the old figures.
  const freshness = freshnessNote(sources, generatedAt);
  const name = scheduledAt ? `Decentra digest — ${utcTime(scheduledAt)} UTC` : "Decentra digest (preview)";
  const keys = sections.flatMap((s) => (s.key ? [s.key] : []));
  const figures: KeyFigure[] = sections.map((s) => ({ label: s.heading, value: s.line ?? s.text }));
  const chart = CHART_ORDER.map((name) => sections[names.indexOf(name)]?.chart).find(Boolean);
  return {
    headline: withFreshness(`${name}: ${keys.join(", ") || "sections unavailable"}`, freshness),
    figures,
    ...(chart ? { chart } : {}),
    ...(freshness ? { freshness } : {}),
    compact: true,
    title: name,
    summary:
      `Bitcoin mining and edge-AI decentralization, built ${generatedAt.slice(0, 16).replace("T", " ")} UTC.` +
      (warnings.length ? " Some figures are stale or from the bundled snapshot; see the warnings." : ""),
    fields,
    sources,
    warnings,
    data: {
      kind: "digest",
      ...(scheduledAt ? { scheduledAt: scheduledAt.toISOString() } : {}),
      sections: [...names],
      stale: warnings.length > 0,
      ...Object.fromEntries(names.map((name, i) => [name, sections[i]!.data])),
    },
    generatedAt,
  };
}

/** "2026-11-24 08:00", with seconds only when the schedule has them ("08:00:30"). */
function utcTime(at: Date): string {
  const iso = at.toISOString();
  return iso.slice(0, at.getUTCSeconds() === 0 ? 16 : 19).replace("T", " ");
}

/** "Sources: BTC price (live, 30 s old); Regional power prices (snapshot, as of 2018)". */
function sourcesLine(sources: readonly SourceRef[], generatedAt: string): string {
  if (sources.length === 0) return "Sources: none";
  const describe = (s: SourceRef) => {
    if (s.status === "snapshot")
      return `${s.name} (${s.fallback ? "SNAPSHOT FALLBACK" : "snapshot"}, as of ${s.asOf})`;
    const age = fmt.age(s.fetchedAt ?? s.asOf, generatedAt);
    return `${s.name} (${s.status === "stale" ? "STALE" : s.status}, ${age} old)`;
  };
  return `Sources: ${uniqueSources(sources).map(describe).join("; ")}`;
}

function uniqueSources(sources: readonly SourceRef[]): SourceRef[] {
  const byKey = new Map<string, SourceRef>();
  for (const source of sources) byKey.set(`${source.name}|${source.source}`, source);
  return [...byKey.values()];
}

function unique(lines: readonly string[]): string[] {
  return [...new Set(lines)];
}
