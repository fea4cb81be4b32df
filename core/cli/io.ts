/** The real terminal for the command line: stdout, stderr and stdin lines. */
import type { ChatIo } from "./chat.ts";
import { readLines } from "./lines.ts";

const encoder = new TextEncoder();

export const terminalIo: ChatIo & { print(line: string): void } = {
  async write(text) {
    const bytes = encoder.encode(text);
    for (let done = 0; done < bytes.length;) done += await Deno.stdout.write(bytes.subarray(done));
  },
  print: (line) => console.log(line),
  error: (line) => console.error(line),
  lines: () => readLines(Deno.stdin.readable),
  get interactive() {
    return Deno.stdin.isTerminal();
  },
};
