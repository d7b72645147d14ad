/** `npm run bench`: loopback latency of each platform adapter, as a ratio to the same command run
 * without any platform (runCommand / runTextLine alone) measured in the same run.
 *   npm run bench [-- n]   → a summary table, then the full results as JSON */
import { benchCharts } from "./charts.ts";
import { benchDiscord } from "./discord.ts";
import { benchTelegram } from "./telegram.ts";

const n = Number(process.argv[2] ?? 300);
const telegram = await benchTelegram(n);
const discord = await benchDiscord(n);
const charts = await benchCharts(Math.min(n, 30));

const rows: string[][] = [
  [
    "telegram",
    telegram.command,
    "update → sendMessage",
    ms(telegram.medianMs),
    ms(telegram.p99Ms),
    ms(telegram.baseline.medianMs),
    ratio(telegram.medianMs, telegram.baseline.medianMs),
  ],
];
for (const r of discord.results) {
  const reply = r.interactionToReply;
  const base = r.baselineRunCommand;
  rows.push([
    "discord",
    r.command,
    "interaction → reply",
    ms(reply.medianMs),
    ms(reply.p99Ms),
    ms(base.medianMs),
    ratio(reply.medianMs, base.medianMs),
  ]);
}
const header = ["platform", "command", "path", "median", "p99", "baseline median", "ratio"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const row of [header, ...rows]) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join("  "));
console.log(`\ncharts (spec → PNG): cold ${ms(charts.coldMs)} (module load + first render)`);
for (const r of charts.results)
  console.log(
    `  ${r.command.padEnd(48)} median ${ms(r.medianMs)}  p99 ${ms(r.p99Ms)}  ${r.width}×${r.height}  ${r.pngBytes} B`,
  );
console.log(JSON.stringify({ node: process.version, n, telegram, discord, charts }, null, 2));

function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

function ratio(value: number, baseline: number): string {
  return `${(value / baseline).toFixed(1)}×`;
}
