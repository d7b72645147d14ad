/** What words point at which command: a small scored vocabulary, one entry per command. Adding a
 * command's questions is adding an entry here; an entry whose command is not in the registry is
 * skipped, so `trend` questions route to trend only once that command exists.
 *
 * Patterns run on the lower-cased question. Weights are points of evidence: a question routes to
 * the command with the most points when it has at least MIN_SCORE (see route.ts). */

export interface Cue {
  pattern: RegExp;
  weight: number;
}

export interface IntentEntry {
  command: string;
  cues: readonly Cue[];
  /** Points for each catalog named in the question ("machine" → mining_cost). */
  entities?: Partial<Record<"region" | "machine" | "model" | "device" | "forecast", number>>;
  /** Points when the question names two regions (from → to). */
  twoRegions?: number;
  /** Three questions this command answers, shown when a question cannot be placed. */
  examples?: readonly string[];
}

const cue = (pattern: RegExp, weight: number): Cue => ({ pattern, weight });

export const INTENTS: readonly IntentEntry[] = [
  {
    command: "mining_cost",
    cues: [
      cue(/\b(mine|mining|miner|miners)\b/, 2),
      cue(/\bcost(s|ing)?\b|\bexpensive\b|\bcheap(er)?\b/, 2),
      cue(/\b(btc|bitcoin|one coin|a coin)\b/, 1),
      cue(/\belectricity\b|\bpower (price|cost|bill)\b|\bkwh\b|¢|\bcents?\b/, 2),
      cue(/\bprofit(able|ability)?\b|\bbreak[- ]?even\b|\bpayback\b|\bhashprice\b|\bmargin\b/, 3),
      cue(/\bhow much (does|do|would|will|is) it\b/, 1),
    ],
    entities: { machine: 3, region: 1 },
    examples: ["How much does it cost to mine 1 BTC in Texas at 5 cents per kWh?"],
  },
  {
    command: "migration",
    cues: [
      cue(/\b(migrat\w*|relocat\w*)\b/, 5),
      cue(/\b(move|moved|moves|moving|shift|shifted|shifting)\b/, 2),
      cue(/\b(cheapest|ranked|rank|ranking|under ?water)\b/, 4),
      cue(/\bwhich (regions?|countries|country|places?)\b|\bwhere (is|are) .*cheap/, 3),
      cue(/\bregions\b/, 3),
      cue(/\bwhat if\b/, 2),
      cue(/\bhydro\b|\bstranded\b|\bsurplus\b/, 1),
    ],
    entities: { region: 1 },
    twoRegions: 3,
    examples: ["What if 50 EH/s moved from the US to Ethiopia?"],
  },
  {
    command: "concentration",
    cues: [
      cue(/\bpools?\b/, 3),
      cue(/\bnakamoto\b|\bhhi\b|\bherfindahl\b/, 6),
      cue(/\bconcentrat\w*\b/, 4),
      cue(/\b(de)?centrali[sz](ed|ation)\b/, 4),
      cue(/\b(de)?centrali[sz](ing|es)\b/, 3),
      cue(/\b(control|controls|dominat\w*|51 ?%)\b/, 3),
      cue(/\b(asic )?makers?\b|\bmanufacturers?\b|\bbitmain\b/, 2),
      cue(/\bwho (mines|controls|finds)\b|\bhow many pools\b/, 3),
    ],
    examples: ["How concentrated are the mining pools this month?"],
  },
  {
    command: "edge_ai",
    cues: [
      cue(/\bmarket\b/, 4),
      cue(/\bforecasts?\b|\bprojections?\b|\bcagr\b/, 3),
      cue(/\bedge[- ]?ai\b/, 2),
      cue(/\b(billion|\$\d+ ?b)\b|\bworth\b|\bindustry\b|\bspending\b/, 2),
      cue(/\bgrow(th|ing)?\b|\bsize\b|\bbig\b/, 1),
    ],
    entities: { forecast: 3 },
    examples: ["How big will the edge AI market be in 2030?"],
  },
  {
    command: "edge_fit",
    cues: [
      cue(/\b(run|runs|running|fit|fits|load|host|serve)\b/, 3),
      cue(/\btokens? ?(per|\/) ?s(ec(ond)?)?\b|\btok\/s\b|\bhow fast\b|\bspeed\b/, 2),
      cue(/\b(memory|ram|vram|quant\w*|q[48](_0|_k_m)?|fp16|context)\b/, 2),
      cue(/\b(llm|model|locally|offline|on[- ]device|inference)\b/, 2),
    ],
    entities: { model: 4, device: 4 },
    examples: ["Can I run Llama 3.1 8B on a Raspberry Pi 5?"],
  },
  {
    // Questions about direction over time; applies only when the registry has a `trend` command.
    command: "trend",
    cues: [
      cue(/\btrends?\b/, 8),
      cue(/\bover time\b|\bover the (last )?(few )?years\b/, 6),
      cue(/\b(de)?centrali[sz](ing|es)\b/, 5),
      cue(/\bopposite\b|\bheading\b|\bdirections?\b|\bthesis\b/, 5),
      cue(
        /\bmoving to (the )?edge\b|\bgoing to the edge\b|\btowards? the edge\b|\bshift\w* to (the )?edge\b/,
        8,
      ),
      cue(/\b(getting|becoming) (more|less)\b/, 4),
    ],
    examples: ["Is mining centralizing while AI moves to the edge?"],
  },
  {
    command: "sources",
    cues: [
      cue(/\bsources?\b/, 5),
      cue(/\bwhere (does|do) (the|your) (data|numbers|figures)\b|\bcomes? from\b/, 5),
      cue(/\bhow (fresh|old|stale)\b|\bdatasets?\b/, 4),
    ],
  },
  {
    command: "help",
    cues: [
      cue(/^\s*help\b|\bwhat can you (do|answer)\b|\bwhich commands\b|\bhow do i use\b/, 6),
      cue(/\bcommands\b/, 3),
    ],
  },
];

/** What people call a place's hashrate ("Chinese hashrate"), read as the region. */
export const DEMONYMS: Readonly<Record<string, string>> = {
  american: "us_average",
  texan: "texas",
  paraguayan: "paraguay",
  ethiopian: "ethiopia",
  russian: "russia",
  kazakh: "kazakhstan",
  kazakhstani: "kazakhstan",
  canadian: "canada",
  norwegian: "norway",
  emirati: "uae",
  omani: "oman",
  chinese: "china",
};

/** Fewest points a question needs before it routes anywhere. */
export const MIN_SCORE = 3;

/** Words that appear in questions but never name a catalog entry, even loosely. */
export const STOP_WORDS = new Set(
  (
    "a an the is are was were be been it its this that these those what which who whom how why when where " +
    "can could would should will shall may might do does did done to of in on at by for from with into onto " +
    "out over under about as and or but if then than so very much many more most less least i me my we us our " +
    "you your they them their he she his her any some all each per one two vs versus like just only also " +
    "run runs running fit fits cost costs mine mining price power market model device machine region there here"
  ).split(" "),
);
