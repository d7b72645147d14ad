import {
  argsSchema,
  defineCommand,
  optionSpecs,
  type Registry,
  textOption,
  unknownCommand,
} from "../src/core/index.ts";
import { describeAllowed } from "../src/core/validate.ts";

const options = {
  command: textOption("command", { description: "A command to explain in detail", example: "mining_cost" }),
};

/** help reads the registry it is part of, so it is made by a factory given the registry lazily. */
export function createHelpCommand(registry: () => Registry) {
  return defineCommand({
    name: "help",
    description: "What each command answers, with examples; /help <command> for its options",
    options: optionSpecs(options),
    args: argsSchema(options),
    examples: ["/help", "/help mining_cost"],
    usesUpstream: false,
    async run(args) {
      const commands = registry().commands;
      if (args.command) {
        const name = args.command.replace(/^\//, "").toLowerCase();
        const command = registry().find(name);
        if (!command) throw unknownCommand(registry(), name);
        return {
          headline: `/${command.name}: ${command.description}.`,
          figures: command.examples
            .slice(0, 3)
            .map((example, i) => ({ label: `Example ${i + 1}`, value: example })),
          title: `/${command.name}`,
          summary: command.description,
          fields: [
            ...command.options.map((o) => ({
              name: o.name + (o.required ? " (required)" : ""),
              value: `${o.description}. ${capitalize(describeAllowed(o))}.`,
            })),
            { name: "Examples", value: command.examples.join("\n") },
          ],
          sources: [],
          data: { command: command.name, options: command.options.map((o) => o.name) },
        };
      }
      return {
        headline: `Decentra's ${commands.length} commands compute how decentralized Bitcoin mining and AI are, with sources and their age. Try ${commands[0]?.examples[0] ?? "/help"}.`,
        // The first screen shows the questions people ask most; every command is in the details.
        figures: commands
          .slice(0, 5)
          .map((c) => ({ label: `/${c.name}`, value: shortDescription(c.description) })),
        title: "Decentra — decentralization in Bitcoin mining and AI, computed",
        summary:
          "Every answer shows its formula inputs, sources and their age. Options go in order or as name=value; quote names with spaces.",
        fields: commands.map((c) => ({
          name: `/${c.name}`,
          value: `${c.description}\ne.g. ${c.examples[0]}`,
        })),
        sources: [],
        data: { commands: commands.map((c) => c.name) },
      };
    },
  });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A command's description up to its first comma or colon: one line on a phone. */
function shortDescription(description: string): string {
  const head = description.split(/[,:;]/)[0]!.trim();
  return head.length <= 60 ? head : `${head.slice(0, 59)}…`;
}
