/**
 * The code's structure rules, checked from the sources: folders under core/ depend one way (no
 * folder imports one that imports it back), product files stay under 500 lines, and product code
 * never imports test support (`testing/` folders, `_test.ts`, tests/).
 * Run `deno run -A tests/support/structure.ts` for a report; structure_test.ts asserts it.
 */
import { dirname, join, normalize, relative } from "node:path";

export interface SourceFile {
  path: string;
  lines: number;
  /** Relative import specifiers resolved to repo paths. */
  imports: string[];
}

export const MAX_PRODUCT_LINES = 500;

const IMPORT = /(?:from\s+|import\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

/** Test support and tests: free to import anything, excluded from the product rules. */
export function isTestSupport(path: string): boolean {
  return path.endsWith("_test.ts") || path.startsWith("tests/") ||
    /(^|\/)(testing|testdata)\//.test(path);
}

/**
 * Groups of core/ folders that import each other, directly or around a longer circle (the
 * strongly connected components of the folder graph), each with the imports that close it.
 */
export function folderCycles(files: SourceFile[]): string[] {
  const edges = new Map<string, Map<string, string>>();
  for (const file of files) {
    if (!file.path.startsWith("core/") || isTestSupport(file.path)) continue;
    const from = dirname(file.path);
    for (const target of file.imports) {
      const to = dirname(target);
      if (to === from || !to.startsWith("core")) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      if (!edges.get(from)!.has(to)) edges.get(from)!.set(to, `${file.path} → ${target}`);
    }
  }
  // Tarjan's algorithm over the folder graph.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1) groups.push(group.sort());
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return groups.map((group) => {
    const inside = group.flatMap((a) =>
      [...(edges.get(a) ?? [])].filter(([b]) => group.includes(b)).map(([, example]) => example)
    );
    return `${group.join(" ↔ ")} (${inside.join("; ")})`;
  }).sort();
}

/** Product files under core/ longer than the limit. */
export function oversized(files: SourceFile[], limit = MAX_PRODUCT_LINES): string[] {
  return files
    .filter((f) => f.path.startsWith("core/") && !isTestSupport(f.path) && f.lines > limit)
    .map((f) => `${f.path}: ${f.lines} lines`);
}

/** Product files that import test support. */
export function productImportsOfTestSupport(files: SourceFile[]): string[] {
  return files
    .filter((f) => !isTestSupport(f.path) && (f.path.startsWith("core/") || f.path === "main.ts"))
    .flatMap((f) => f.imports.filter(isTestSupport).map((t) => `${f.path} → ${t}`));
}

/** Product files under core/ that main.ts never loads (directly, through others, or lazily). */
export function unreachableFromMain(files: SourceFile[]): string[] {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const seen = new Set<string>();
  const stack = ["main.ts"];
  while (stack.length > 0) {
    const path = stack.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    for (const target of byPath.get(path)?.imports ?? []) stack.push(target);
  }
  return files
    .filter((f) => f.path.startsWith("core/") && !isTestSupport(f.path) && !seen.has(f.path))
    .map((f) => f.path)
    .sort();
}

/** Reads every .ts/.tsx file under `roots` (relative to `repo`). */
export async function readSources(
  repo: string,
  roots = ["core", "main.ts"],
): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  const visit = async (path: string) => {
    const info = await Deno.stat(join(repo, path));
    if (info.isDirectory) {
      for await (const entry of Deno.readDir(join(repo, path))) await visit(join(path, entry.name));
      return;
    }
    if (!/\.tsx?$/.test(path)) return;
    const text = await Deno.readTextFile(join(repo, path));
    const imports = [...text.matchAll(IMPORT)].map((m) =>
      relative(repo, normalize(join(repo, dirname(path), m[1])))
    );
    files.push({ path, lines: text.split("\n").length, imports });
  };
  for (const root of roots) await visit(root);
  return files;
}

if (import.meta.main) {
  const repo = new URL("../../", import.meta.url).pathname;
  const files = await readSources(repo);
  const report = {
    "folder cycles": folderCycles(files),
    [`product files over ${MAX_PRODUCT_LINES} lines`]: oversized(files),
    "product imports of test support": productImportsOfTestSupport(files),
    "core/ files main.ts never loads": unreachableFromMain(files),
  };
  let problems = 0;
  for (const [title, items] of Object.entries(report)) {
    console.log(`${title}: ${items.length === 0 ? "none" : ""}`);
    for (const item of items) console.log(`  ${item}`);
    problems += items.length;
  }
  Deno.exit(problems === 0 ? 0 : 1);
}
