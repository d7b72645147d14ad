/** `npm run soak [-- --commands 50000 --chats 5000]`: a long run of commands through the real
 * Telegram adapter (grammY long polling against the fake Bot API, the real command registry and
 * data layer on the fake upstream), to find what only shows after tens of thousands of updates: an
 * answer that never comes, polling that stalls, memory that keeps growing.
 *
 * Updates are pushed in batches with at most `--outstanding` unanswered at a time (a busy bot's
 * queue); every 5,000 commands it prints the throughput, the longest wait for an answer and the
 * heap after a forced collection (the fake's own records are cleared as it goes, so what grows is
 * the bot's), and it fails (exit 1) on any command not answered within 10 s.
 * The outgoing limiter is off (at 30 messages/s, 50,000 answers would take 28 minutes); its
 * windows are tested on their own, and the fan-out bench runs with it. */
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createTelegramBot } from "../src/adapters/telegram/index.ts";
import { createLogger } from "../src/logger.ts";
import { createTestApp } from "../test/support/app.ts";
import { privateMessage, startFakeTelegram } from "../test/support/fake-telegram.ts";
import { startFakeUpstream } from "../test/support/fake-upstream.ts";

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const commands = arg("commands", 50_000);
const chats = arg("chats", 5_000);
const outstandingMax = arg("outstanding", 500);
const STALL_MS = 10_000;
const LINES = [
  "/help",
  "/edge_ai 2030",
  "/mining_cost paraguay",
  "/concentration",
  "/edge_fit llama_3_1_8b rtx_4090",
];

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const logger = createLogger({ level: "warn" });
const upstream = await startFakeUpstream();
const tg = await startFakeTelegram();
const app = await createTestApp({ upstream, logger, env: { UPSTREAM_TIMEOUT_MS: "2500" } });
const telegram = createTelegramBot({
  registry: app.registry,
  deps: app.deps,
  token: tg.token,
  apiRoot: tg.apiRoot,
  logger,
  // Each chat sends commands / chats commands in all; none should meet the per-user limit.
  commandsPerUserPerMinute: 1000,
  throttle: false,
  pollingTimeoutSeconds: 1,
});
await telegram.start({ kind: "polling" });

const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
const report: Array<Record<string, number>> = [];
const pushedAt = new Map<number, number>();
let pushed = 0;
let answered = 0;
let longestWaitMs = 0;
let blockStart = performance.now();
let peakRssMb = 0;
const heapAtStartMb = heapMb();

// Each answer's chat tells which push it answers: chats take turns, so chat c's k-th answer is
// the k-th push to c; answers within a chat come in order.
const answersPerChat = new Map<number, number>();
const pushesPerChat = new Map<number, number[]>();
let seen = 0;
const collect = () => {
  for (; seen < tg.sent.length; seen++) {
    const chatId = Number(tg.sent[seen]!.chat_id);
    const k = answersPerChat.get(chatId) ?? 0;
    answersPerChat.set(chatId, k + 1);
    const id = pushesPerChat.get(chatId)?.[k];
    if (id === undefined) continue;
    longestWaitMs = Math.max(longestWaitMs, tg.sent[seen]!.receivedAt - pushedAt.get(id)!);
    pushedAt.delete(id);
    answered++;
    if (answered % 5000 === 0) {
      const seconds = (performance.now() - blockStart) / 1000;
      const row = {
        answered,
        perSecond: Math.round(5000 / seconds),
        longestWaitMs: Math.round(longestWaitMs),
        heapMb: Math.round(heapMb()),
        rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
      };
      report.push(row);
      console.log(
        `${String(row.answered).padStart(6)} answered  ${row.perSecond}/s  longest wait ${row.longestWaitMs} ms  heap ${row.heapMb} MB  rss ${row.rssMb} MB`,
      );
      blockStart = performance.now();
      longestWaitMs = 0;
    }
  }
};

let failure: string | undefined;
const started = performance.now();
while (answered < commands && !failure) {
  while (pushed < commands && pushed - answered < outstandingMax) {
    const chatId = 7_000_000 + (pushed % chats);
    const id = tg.pushUpdate(privateMessage(LINES[pushed % LINES.length]!, { chatId }));
    pushedAt.set(id, performance.now());
    const list = pushesPerChat.get(chatId) ?? [];
    list.push(id);
    pushesPerChat.set(chatId, list);
    pushed++;
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
  collect();
  // The fake's record of what was sent would otherwise be the growing heap.
  if (seen > 5000) {
    tg.clearCalls();
    seen = 0;
  }
  peakRssMb = Math.max(peakRssMb, process.memoryUsage().rss / 2 ** 20);
  const oldest = Math.min(...[...pushedAt.values()].slice(0, 50));
  if (pushedAt.size && performance.now() - oldest > STALL_MS) {
    failure = `${pushedAt.size} commands unanswered, the oldest for ${STALL_MS / 1000} s (after ${answered} answers)`;
  }
}
const seconds = (performance.now() - started) / 1000;
await telegram.stop();
await app.close();
await tg.close();
await upstream.close();
const summary = {
  commands,
  chats,
  answered,
  seconds: Math.round(seconds),
  perSecond: Math.round(answered / seconds),
  heapAtStartMb: Math.round(heapAtStartMb),
  heapAtEndMb: Math.round(heapMb()),
  peakRssMb: Math.round(peakRssMb),
  ...(failure ? { failure } : {}),
};
console.log(JSON.stringify(summary));
if (failure) {
  console.error(`soak failed: ${failure}`);
  process.exit(1);
}
