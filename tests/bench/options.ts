/**
 * Command line of the bench runner: `deno task bench [--quick] [--only=a,b] [--help]`.
 * Pure: turns argv into options or an error that quotes what was wrong.
 */

/** Every section the runner knows, in the order they run. */
export const SECTION_IDS = [
  "start",
  "link",
  "discovery",
  "idle",
  "llm",
  "embed",
  "store",
  "catchup",
  "propagation",
  "encryption",
  "scale",
] as const;
export type SectionId = typeof SECTION_IDS[number];

/** Names that stand for several sections in `--only`. */
export const SECTION_GROUPS: Record<string, readonly SectionId[]> = {
  conversations: ["store", "catchup", "propagation"],
};

export interface BenchOptions {
  /** Smaller counts: a smoke run that finishes in about a minute. */
  quick: boolean;
  /** Sections to run, in SECTION_IDS order. */
  sections: SectionId[];
  /** Where the figures are written as JSON. */
  jsonPath: string;
  /** Nodes in the `scale` section instead of its default (50), for quicker iterations. */
  nodes?: number;
}

export type BenchCommand = { help: true } | { help: false; options: BenchOptions };

export const DEFAULT_JSON_PATH = "test-output/bench.json";

export const USAGE = `Usage: deno task bench [options]

  --quick             smaller counts (a smoke run)
  --only=a,b          run only these sections: ${SECTION_IDS.join(", ")}
                      (conversations = store, catchup, propagation)
  --json=PATH         where to write the figures (default ${DEFAULT_JSON_PATH})
  --nodes=N           nodes in the scale section (default 50; e.g. 20 to iterate quickly)
  -h, --help          print this text

Sections discovery, idle, llm and propagation run real nodes in network namespaces
(root and iproute2); without them they are skipped with the reason.`;

export function parseBenchArgs(args: readonly string[]): BenchCommand {
  let quick = false;
  let only: string[] | null = null;
  let jsonPath = DEFAULT_JSON_PATH;
  let nodes: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = () => {
      const next = inline ?? args[++i];
      if (next === undefined || next === "") throw new Error(`option ${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "-h":
      case "--help":
        return { help: true };
      case "--quick":
        if (inline !== undefined) throw new Error(`option --quick takes no value, got "${arg}"`);
        quick = true;
        break;
      case "--only":
        only = value().split(",").map((s) => s.trim()).filter(Boolean);
        break;
      case "--json":
        jsonPath = value();
        break;
      case "--nodes": {
        const text = value();
        nodes = Number(text);
        if (!Number.isInteger(nodes) || nodes < 3 || nodes > 200) {
          throw new Error(`option --nodes must be an integer 3-200, got "${text}"`);
        }
        break;
      }
      default:
        throw new Error(`unknown option "${arg}"; see --help`);
    }
  }
  const options: BenchOptions = { quick, sections: selectSections(only), jsonPath };
  if (nodes !== undefined) options.nodes = nodes;
  return { help: false, options };
}

function selectSections(only: string[] | null): SectionId[] {
  if (only === null) return [...SECTION_IDS];
  if (only.length === 0) throw new Error(`--only needs at least one section name`);
  const wanted = new Set<SectionId>();
  for (const name of only) {
    const group = SECTION_GROUPS[name];
    if (group) {
      for (const id of group) wanted.add(id);
    } else if ((SECTION_IDS as readonly string[]).includes(name)) {
      wanted.add(name as SectionId);
    } else {
      const known = [...SECTION_IDS, ...Object.keys(SECTION_GROUPS)].join(", ");
      throw new Error(`unknown section "${name}" in --only; known: ${known}`);
    }
  }
  return SECTION_IDS.filter((id) => wanted.has(id));
}
