import { exampleQuestions, routeQuestion } from "../src/ask/route.ts";
import {
  argsSchema,
  catalogsOf,
  defineCommand,
  optionSpecs,
  type Registry,
  textOption,
  UserError,
  validateArgs,
} from "../src/core/index.ts";

const options = {
  question: textOption("question", {
    description: "Your question, in your own words",
    required: true,
    rest: true,
    maxLength: 500,
    example: "can I run llama 3.1 8b on a raspberry pi 5",
  }),
};

/** ask reads the registry it routes into, so like help it is made with the registry given lazily. */
export function createAskCommand(registry: () => Registry) {
  return defineCommand({
    name: "ask",
    description: "Ask in your own words; the question is routed to the calculation that answers it",
    options: optionSpecs(options),
    args: argsSchema(options),
    examples: [
      "/ask how much does it cost to mine 1 BTC in Texas at 5 cents per kWh?",
      "/ask can I run llama 3.1 8b on a raspberry pi 5?",
      "/ask what if 50 EH/s moved from the US to Ethiopia?",
    ],
    usesUpstream: true,
    async run(args, ctx) {
      const catalogs = catalogsOf(ctx.deps.snapshot);
      const routed = routeQuestion(args.question, registry(), catalogs);
      if (!routed) {
        const examples = exampleQuestions(registry());
        return {
          // No headline: the examples are the answer, so they stay above the fold.
          title: "I couldn't place that question",
          summary:
            "I answer questions about the cost of mining bitcoin, where hashrate could move, how concentrated " +
            "mining is, the edge-AI market and whether a model runs on a device. For example:\n" +
            examples.map((q) => `• ${q}`).join("\n"),
          fields: [],
          actions: examples.map((q) => ({ label: q.slice(0, 40), command: "ask", args: { question: q } })),
          sources: [],
          data: { understood: null, examples },
        };
      }
      const target = registry().find(routed.command)!;
      try {
        const draft = await target.run(validateArgs(target, routed.args, catalogs), ctx);
        const unread = routed.unread.map(
          (name) => `"${name}" is not a region, machine, model or device I know; the answer does not use it.`,
        );
        return {
          ...draft,
          warnings: [...(draft.warnings ?? []), ...unread],
          readAs: routed.readAs,
          data: { ...draft.data, understood: { command: routed.command, args: routed.args } },
        };
      } catch (error) {
        // The reader sees how the question was read, so the fix is one edit of that line away.
        if (error instanceof UserError) {
          throw new UserError(error.code, `${error.message} (Read as ${routed.readAs}.)`, error.details);
        }
        throw error;
      }
    },
  });
}
