import { fileURLToPath } from "node:url";

/**
 * V8's young generation at most 2 MB per semi-space (default up to 16): a node linking with 49
 * others on a busy core grew it to its maximum and kept it, ~25 MB of the idle RSS measured by
 * the bench's scale section (private memory 78 → 52 MB); link throughput stays within its
 * noise. 1 MB saved no more and let a flood of 12,000 connections a second delay the
 * handshake timeout from 5.3 to 8 s (tests/e2e/peer_load_test.ts); 2 MB keeps it at 5.3 s.
 */
export const V8_FLAGS = "--v8-flags=--max-semi-space-size=2";

/**
 * The flags a node runs with, the same for `deno compile`, the bundle and an installed service:
 * explicit and minimal (never -A). Read/write cover the data dir (any path the user chooses);
 * sys covers host name and interfaces; run opens the browser and runs service/firewall tools.
 */
export const RUNTIME_FLAGS: readonly string[] = [
  V8_FLAGS,
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys=hostname,networkInterfaces",
  "--allow-run",
  "--unstable-net",
];

/** How this process was started: a compiled executable, or `deno run` of a script. */
export interface ProcessFacts {
  execPath: string;
  mainModule: string;
  standalone: boolean;
  /** deno.json beside a source checkout's main.ts, when there is one. */
  configFile?: string;
}

/** The command line that starts this same program again (for services), program first. */
export function launchCommand(facts: ProcessFacts): string[] {
  if (facts.standalone) return [facts.execPath];
  const script = facts.mainModule.startsWith("file:")
    ? fileURLToPath(facts.mainModule)
    : facts.mainModule;
  const config = facts.configFile ? ["--config", facts.configFile] : [];
  return [facts.execPath, "run", ...RUNTIME_FLAGS, ...config, script];
}

/** Facts of the running process; looks for deno.json only beside a `main.ts` source entry. */
export async function currentProcessFacts(): Promise<ProcessFacts> {
  const facts: ProcessFacts = {
    execPath: Deno.execPath(),
    mainModule: Deno.mainModule,
    standalone: Boolean(Deno.build.standalone),
  };
  if (
    !facts.standalone && facts.mainModule.startsWith("file:") &&
    facts.mainModule.endsWith("/main.ts")
  ) {
    const candidate = fileURLToPath(new URL("./deno.json", facts.mainModule));
    if (await Deno.stat(candidate).then((info) => info.isFile, () => false)) {
      facts.configFile = candidate;
    }
  }
  return facts;
}
