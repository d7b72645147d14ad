import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineCommand, runCommand } from "../../src/core/index.ts";
import { consoleInvocation, memoryDeps } from "../support/memory-deps.ts";

const broken = defineCommand({
  name: "broken",
  description: "returns a figure that is not a number",
  options: [],
  args: z.object({}),
  examples: ["/broken"],
  usesUpstream: false,
  run: async () => ({
    title: "t",
    summary: "s",
    sources: [],
    data: { nested: { costPerBtcUsd: Number.NaN } },
  }),
});

describe("runCommand", () => {
  it("never shows NaN or Infinity: the answer becomes an internal error with an id in the log", async () => {
    const deps = memoryDeps();
    const reply = await runCommand(broken, {}, { deps, invocation: consoleInvocation });
    expect(reply.error?.code).toBe("internal");
    expect(reply.summary).toMatch(/Error id: [0-9a-f]{8}/);
    expect(deps.logged.join("\n")).toContain("non-finite number at data.nested.costPerBtcUsd");
    expect(deps.logged.join("\n")).toContain(reply.error!.errorId!);
  });
});
