/**
 * `deno bundle` of the program (build/entry.ts: main.ts with literal command imports) into one
 * JavaScript file with npm dependencies inlined: it runs with a stock `deno run` and the runtime
 * flags in any directory, no node_modules or deno.json needed.
 */
import { RUNTIME_FLAGS } from "../core/service/launch_command.ts";

export const ROOT = new URL("../", import.meta.url).pathname;
/** What bundle and compile start from: main.ts computes its lazy imports, which they cannot follow. */
export const ENTRY_TS = `${ROOT}build/entry.ts`;

/** First line of the bundle, so `chmod +x neuromesh.js && ./neuromesh.js` works where Deno is installed. */
export const BUNDLE_SHEBANG = `#!/usr/bin/env -S deno run ${RUNTIME_FLAGS.join(" ")}`;

export interface StepResult {
  ok: boolean;
  /** What the tool printed on stderr, for the error message. */
  stderr: string;
}

/** Bundles `entry` to `outFile` (with a shebang line, mode 755). */
export async function bundleProgram(
  outFile: string,
  entry: string = ENTRY_TS,
): Promise<StepResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--platform", "deno", "--output", outFile, entry],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) return { ok: false, stderr };
  const code = await Deno.readTextFile(outFile);
  const body = code.startsWith("#!") ? code.slice(code.indexOf("\n") + 1) : code;
  await Deno.writeTextFile(outFile, `${BUNDLE_SHEBANG}\n${body}`, { mode: 0o755 });
  if (Deno.build.os !== "windows") await Deno.chmod(outFile, 0o755);
  return { ok: true, stderr };
}
