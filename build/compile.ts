/**
 * `deno task build`: the UI bundle, then one executable per platform with `deno compile` and the
 * single-file `dist/neuromesh.js` with `deno bundle`, then `dist/SHA256SUMS` for what was built.
 * `--bundle-only` builds just the bundle. Where `deno compile` cannot download its runtime
 * (denort), it says so in one line and the bundle is still built.
 */
import { RUNTIME_FLAGS } from "../core/service/launch_command.ts";
import { bundleProgram, ENTRY_TS, ROOT, type StepResult } from "./bundle.ts";
import { formatChecksums, sha256Hex } from "./checksums.ts";

export const DIST = `${ROOT}dist`;
export const BUNDLE_FILE = "neuromesh.js";

/** Every platform a release ships, with the file name users download. */
export const COMPILE_TARGETS: readonly { target: string; file: string }[] = [
  { target: "x86_64-unknown-linux-gnu", file: "neuromesh-linux-x64" },
  { target: "aarch64-unknown-linux-gnu", file: "neuromesh-linux-arm64" },
  { target: "x86_64-apple-darwin", file: "neuromesh-macos-x64" },
  { target: "aarch64-apple-darwin", file: "neuromesh-macos-arm64" },
  { target: "x86_64-pc-windows-msvc", file: "neuromesh-windows-x64.exe" },
];

export function compileArgs(target: string, output: string, entry: string): string[] {
  return ["compile", "--target", target, "--output", output, ...RUNTIME_FLAGS, entry];
}

/**
 * The targets to compile. A local runtime (DENORT_BIN) is embedded whatever the target, so with
 * one set only the host's own target is built; the others would be that binary, mislabelled.
 */
export function targetsToBuild(
  denortBin: string | undefined,
  hostTarget: string,
): typeof COMPILE_TARGETS {
  return denortBin
    ? COMPILE_TARGETS.filter(({ target }) => target === hostTarget)
    : COMPILE_TARGETS;
}

/** True when `deno compile` failed only because it could not fetch its runtime binary. */
export function isDenortUnavailable(stderr: string): boolean {
  return /denort|Setting up base binary/i.test(stderr);
}

/** Deno's "Caused by:" list (`0: …`, `1: …`) as one line, or the last line of the error. */
export function causeChain(stderr: string): string {
  const causes = [...stderr.matchAll(/^\s*\d+: (.*)$/gm)].map((match) => match[1].trim());
  return causes.length > 0 ? causes.join(": ") : stderr.trim().split("\n").at(-1) ?? "";
}

export const DENORT_HINT =
  "deno compile skipped: it could not download denort (the runtime it embeds) " +
  "from dl.deno.land; set DENORT_BIN=/path/to/denort (Deno 2.9.6, built for the target) to compile offline.";

async function run(args: string[]): Promise<StepResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "inherit",
    stderr: "piped",
  })
    .output();
  return { ok: out.success, stderr: new TextDecoder().decode(out.stderr) };
}

async function removeIfPresent(path: string) {
  await Deno.remove(path).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}

/** Runs the whole build; returns the exit code. */
export async function build(options: { bundleOnly: boolean }): Promise<number> {
  const built: string[] = [];
  let failed = false;
  // The page, its installable files and its maths module: generated modules the program embeds.
  for (const step of ["build_ui.ts", "build_pwa.ts", "build_math.ts"]) {
    if (!await Deno.stat(`${ROOT}build/${step}`).then(() => true, () => false)) continue;
    const result = await run(["run", "-A", `${ROOT}build/${step}`]);
    if (!result.ok) {
      console.error(`build: build/${step} failed:\n${result.stderr.trimEnd()}`);
      return 1;
    }
  }
  await Deno.mkdir(DIST, { recursive: true });

  const bundle = await bundleProgram(`${DIST}/${BUNDLE_FILE}`);
  if (bundle.ok) {
    built.push(BUNDLE_FILE);
    console.log(`built dist/${BUNDLE_FILE}`);
  } else {
    console.error(`build: deno bundle failed:\n${bundle.stderr.trimEnd()}`);
    failed = true;
  }

  const denortBin = Deno.env.get("DENORT_BIN");
  const targets = options.bundleOnly ? [] : targetsToBuild(denortBin, Deno.build.target);
  if (!options.bundleOnly && denortBin) {
    console.log(`DENORT_BIN is set: compiling only this machine's target (${Deno.build.target})`);
  }
  for (const { target, file } of targets) {
    const output = `${DIST}/${file}`;
    await removeIfPresent(output); // never ship a stale binary from an earlier build
    const result = await run(compileArgs(target, output, ENTRY_TS));
    if (result.ok) {
      built.push(file);
      console.log(`built dist/${file}`);
    } else if (isDenortUnavailable(result.stderr)) {
      const cause = causeChain(result.stderr);
      console.error(
        denortBin
          ? `deno compile skipped: DENORT_BIN=${denortBin} did not work: ${cause}`
          : DENORT_HINT,
      );
      break; // every other target needs the same download
    } else {
      console.error(`build: deno compile --target ${target} failed:\n${result.stderr.trimEnd()}`);
      failed = true;
    }
  }

  const entries = [];
  for (const name of built) {
    entries.push({ name, sha256: await sha256Hex(await Deno.readFile(`${DIST}/${name}`)) });
  }
  await Deno.writeTextFile(`${DIST}/SHA256SUMS`, formatChecksums(entries));
  console.log(`wrote dist/SHA256SUMS (${entries.length} file${entries.length === 1 ? "" : "s"})`);
  return failed ? 1 : 0;
}

if (import.meta.main) {
  const unknown = Deno.args.filter((arg) => arg !== "--bundle-only");
  if (unknown.length > 0) {
    console.error(
      `build: unknown argument ${
        JSON.stringify(unknown[0])
      }; usage: build/compile.ts [--bundle-only]`,
    );
    Deno.exit(2);
  }
  Deno.exit(await build({ bundleOnly: Deno.args.includes("--bundle-only") }));
}
