/** `npm run bench`: in one run,
 *   1. warm p50/p99 of each command through each adapter next to a bare grammY bot and a bare
 *      discord.js client on the same fakes, interleaved, medians over runs, as ratios
 *      (goal: p50 ≤ 2× bare, p99 < 10 ms);
 *   2. a digest fan-out to N chats against the 30 messages/s fake (default 300, about 10 s, so the
 *      whole bench stays near a minute here; the time scales as N ÷ 30 s, so 10,000 chats take
 *      333 s × the measured ratio). Its RSS is the whole bench process's (fakes and both clients
 *      included), not the bot's alone.
 *   3. each chart spec rendered to PNG: cold (module load + first render) and warm median.
 *   npm run bench [-- --runs 3 --samples 40 --chats 300]   → tables, then everything as JSON */
import { benchCharts } from "./charts.ts";
import { compareAdapters } from "./compare.ts";
import { benchFanOut } from "./fanout.ts";

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const runs = arg("runs", 3);
const samples = arg("samples", 40);
const chats = arg("chats", 300);

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
    `${fanOut.tooManyRequests} 429s of ${fanOut.sends} sends, peak RSS ${fanOut.peakRssMb.toFixed(0)} MB (${fanOut.rssBeforeMb.toFixed(0)} MB before)`,
);
// The first 30 posts go out at once (the window starts empty); the rest at the steady rate. So the
// extrapolation scales the steady part: t(10,000) = t(N) × (10,000 − 30) ÷ (N − 30).
const tenThousandSeconds = (fanOut.seconds * (10_000 - 30)) / (fanOut.chats - 30);
console.log(
  `  extrapolated to 10,000 chats at the measured steady rate: ${tenThousandSeconds.toFixed(0)} s (${(tenThousandSeconds / 333.3).toFixed(3)}× 333 s); ` +
    "RSS is the whole bench process's and is not extrapolated (measure with --chats 10000)\n",
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
