/** The console: tab completion in the chats' grammar, and terminal mode (line editing, history)
 * over a stream that behaves as a TTY. */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createCommandRegistry } from "../../commands/index.ts";
import { createCompleter, runConsole } from "../../src/adapters/cli/console.ts";
import { snapshot } from "../../src/data/snapshot.ts";
import { memoryDeps } from "../support/memory-deps.ts";

const registry = createCommandRegistry();
const complete = createCompleter(registry, snapshot);

describe("console completion", () => {
  it("completes command names, with or without the slash", () => {
    expect(complete("min")).toEqual([["mining_cost"], "min"]);
    expect(complete("/mi")).toEqual([["/mining_cost", "/migration"], "/mi"]);
    expect(complete("ex")).toEqual([["exit"], "ex"]);
    expect(complete("edge_")).toEqual([["edge_ai", "edge_fit"], "edge_"]);
  });

  it("completes the next positional value from its catalog, and option names", () => {
    const [hits, word] = complete("mining_cost para");
    expect(word).toBe("para");
    expect(hits).toContain("paraguay");
    const [options] = complete("mining_cost paraguay pu");
    expect(options).toEqual(["pue="]);
  });

  it("completes a named option's values after =", () => {
    const [hits] = complete("edge_fit device=rtx");
    expect(hits.length).toBeGreaterThan(0);
    for (const hit of hits) expect(hit).toMatch(/^device=rtx/);
    const device = snapshot.devices.find((d) => d.id.startsWith("rtx"))!;
    expect(hits).toContain(`device=${device.id}`);
  });

  it("offers only options not given yet, and nothing for an unknown command", () => {
    const [hits] = complete("mining_cost pue=1.1 ");
    expect(hits).not.toContain("pue=");
    expect(hits).toContain("pool_fee=");
    expect(complete("nosuch x")).toEqual([[], "x"]);
  });
});

describe("console in terminal mode", () => {
  it("answers lines typed at a prompt, keeps history, and stops at exit", async () => {
    const input = new PassThrough();
    const terminal = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    let screen = "";
    terminal.on("data", (chunk) => {
      screen += chunk.toString();
    });
    const answers: string[] = [];
    const done = runConsole(registry, memoryDeps(), input, {
      out: (text) => answers.push(text),
      err: (text) => answers.push(text),
      prompt: "decentra> ",
      terminal,
    });
    input.write("help\r");
    await new Promise((r) => setTimeout(r, 50));
    // ↑ recalls "help" from history; Enter runs it again.
    input.write("\x1b[A\r");
    await new Promise((r) => setTimeout(r, 50));
    input.write("exit\r");
    await done;
    expect(answers).toHaveLength(2);
    expect(answers[0]).toContain("mining_cost");
    expect(answers[1]).toBe(answers[0]);
    expect(screen).toContain("decentra> ");
  });

  it("an unclosed quote answers what is wrong and the console goes on", async () => {
    const input = new PassThrough();
    const answers: string[] = [];
    const done = runConsole(registry, memoryDeps(), input, {
      out: (t) => answers.push(t),
      err: (t) => answers.push(t),
    });
    input.end('mining_cost machine="S21 XP\nhelp\n');
    await done;
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatch(/^Can't read that command\n=+\nA quote is not closed/);
    expect(answers[0]).toMatch(/quote/i);
    expect(answers[1]).toContain("mining_cost");
  });
});
