/** `npm run bench`: in one run,
 *   1. warm p50/p99 of each command through each adapter next to a bare grammY bot and a bare
 *      discord.js client on the same fakes, interleaved, medians over runs, as ratios
 *      (goal: p50 ≤ 2× bare, p99 < 10 ms);
 *   2. a digest fan-out to N chats (default 10,000: about 6 minutes) against a fake Telegram that
 *      enforces 30 messages/s: `node src/main.ts` on SQLite as its own process, so its memory
 *      (resident set at the time, peak VmHWM) is the bot's alone (goal: within 5% of N ÷ 30 s,
 *      peak under 150 MB); `--chats 300` for a quick run;
 *   3. each chart spec rendered to PNG: cold (module load + first render) and warm median.
 *   npm run bench [-- --runs 3 --samples 40 --chats 10000]   → tables, then everything as JSON */
import { benchCharts } from "./charts.ts";
import { compareAdapters } from "./compare.ts";
import { benchFanOut } from "./fanout.ts";

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const runs = arg("runs", 3);
const samples = arg("samples", 40);
const chats = arg("chats", 10_000);

const comparisons = await compareAdapters({ runs, samples });
const header = ["platform", "command", "ours p50", "ours p99", "bare p50", "bare p99", "p50 ×", "p99 ×"];
const rows = comparisons.map((c) => [
  c.platform,
  c.command,
  ms(c.ours.p50Ms),
  ms(c.ours.p99Ms),
  ms(c.bare.p50Ms),
  ms(c.bare.p99Ms),
  `${c.ratio.p50.toFixed(2)}×`,
  `${c.ratio.p99.toFixed(2)}×`,
]);
table(header, rows);
console.log(`(median over ${runs} runs of ${samples} interleaved samples each)\n`);

const fanOut = await benchFanOut(chats);
console.log(
  `digest fan-out: ${fanOut.chats} chats in ${fanOut.seconds.toFixed(1)} s (${fanOut.ratioToMinimum.toFixed(3)}× the ${(fanOut.chats / 30).toFixed(1)}-s minimum at 30/s), ` +
    `${fanOut.tooManyRequests} 429s of ${fanOut.sends} sends, ${fanOut.duplicates} duplicates; ` +
    `bot process RSS ${fanOut.botRssAtStartMb.toFixed(0)} MB at the time, peak ${fanOut.botPeakRssMb.toFixed(0)} MB ` +
    `(seeded in ${fanOut.seedSeconds.toFixed(1)} s)\n`,
);
const charts = await benchCharts(30);
console.log(`charts (spec → PNG): cold ${ms(charts.coldMs)} (module load + first render)`);
for (const r of charts.results)
  console.log(
    `  ${r.command.padEnd(48)} median ${ms(r.medianMs)}  p99 ${ms(r.p99Ms)}  ${r.width}×${r.height}  ${r.pngBytes} B`,
  );
console.log(JSON.stringify({ node: process.version, runs, samples, comparisons, fanOut, charts }, null, 2));

function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

function table(head: string[], body: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  for (const row of [head, ...body]) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join("  "));
}
