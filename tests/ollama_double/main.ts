/**
 * Runs the Ollama test double as its own process, e.g. inside a network namespace:
 *   ip netns exec nsX deno run -A tests/ollama_double/main.ts --port 11434 --models a,b
 * Prints one line "ollama-double listening on http://HOST:PORT" once it accepts requests.
 */
import { parseCliArgs, USAGE } from "./cli.ts";
import { startOllamaDouble } from "./server.ts";

let command;
try {
  command = parseCliArgs(Deno.args);
} catch (error) {
  console.error(`ollama-double: ${(error as Error).message}`);
  Deno.exit(2);
}
if (command.help) {
  console.log(USAGE);
  Deno.exit(0);
}

const double = await startOllamaDouble(command.options);
const stop = async () => {
  await double.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
if (double.controlUrl) console.log(`ollama-double control on ${double.controlUrl}`);
if (command.options.controlPath) {
  console.log(`ollama-double control on unix:${command.options.controlPath}`);
}
console.log(`ollama-double listening on ${double.url}`);
