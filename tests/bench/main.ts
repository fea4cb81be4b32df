/**
 * The bench runner (`deno task bench [--quick] [--only=a,b]`): runs each section, prints a
 * table of its figures against the goals and a baseline measured in the same run, and writes
 * them all to test-output/bench.json. Goals are shown, never asserted: a missed goal is a
 * figure to look at, not a failure. Only a section that could not finish fails the run.
 */
import { netnsUnavailableReason } from "../support/ci.ts";
import { parseBenchArgs, type SectionId, USAGE } from "./options.ts";
import { figureJson, renderSection, type SectionResult } from "./report.ts";
import type { BenchContext, Section } from "./section.ts";
import { catchUpSection } from "./sections/catchup.ts";
import { encryptionSection } from "./sections/encryption.ts";
import { discoverySection } from "./sections/discovery.ts";
import { embedSection } from "./sections/embed.ts";
import { idleSection } from "./sections/idle.ts";
import { linkSection } from "./sections/link.ts";
import { llmSection } from "./sections/llm.ts";
import { propagationSection } from "./sections/propagation.ts";
import { scaleSection } from "./sections/scale.ts";
import { startSection } from "./sections/start.ts";
import { storeSection } from "./sections/store.ts";

const SECTIONS: Record<SectionId, Section> = {
  start: startSection,
  link: linkSection,
  discovery: discoverySection,
  idle: idleSection,
  llm: llmSection,
  embed: embedSection,
  store: storeSection,
  catchup: catchUpSection,
  propagation: propagationSection,
  encryption: encryptionSection,
  scale: scaleSection,
};

const ROOT = new URL("../../", import.meta.url).pathname;

/** Other work on the machine shapes every figure: each section records the load it ran under. */
async function loadAverage(): Promise<number | null> {
  try {
    return Number((await Deno.readTextFile("/proc/loadavg")).split(" ")[0]);
  } catch {
    return null;
  }
}

async function runSection(section: Section, context: BenchContext): Promise<SectionResult> {
  const started = performance.now();
  const result: SectionResult = {
    id: section.id,
    title: section.title,
    figures: [],
    notes: [],
    seconds: 0,
    loadAverage: await loadAverage(),
  };
  const netnsMissing = section.needsNetns ? netnsUnavailableReason() : null;
  if (netnsMissing) {
    result.skipped = `it runs nodes in network namespaces, which are unavailable here: ` +
      `${netnsMissing}`;
  } else {
    try {
      const output = await section.run(context);
      result.figures = output.figures;
      result.notes = output.notes ?? [];
      result.details = output.details;
    } catch (error) {
      result.error = error instanceof Error ? error.message : String(error);
    }
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

async function main(): Promise<number> {
  let command;
  try {
    command = parseBenchArgs(Deno.args);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (command.help) {
    console.log(USAGE);
    return 0;
  }
  const { options } = command;
  const startedAt = new Date().toISOString();
  console.log(
    `NeuroMesh bench${options.quick ? " (quick)" : ""}: ${options.sections.join(", ")} ` +
      `— Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores\n`,
  );
  const results: SectionResult[] = [];
  for (const id of options.sections) {
    const section = SECTIONS[id];
    const result = await runSection(section, { quick: options.quick, nodes: options.nodes });
    results.push(result);
    console.log(`${renderSection(section.number, result)}\n`);
  }

  const jsonPath = options.jsonPath.startsWith("/")
    ? options.jsonPath
    : `${ROOT}${options.jsonPath}`;
  await Deno.mkdir(jsonPath.slice(0, jsonPath.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(
    jsonPath,
    JSON.stringify(
      {
        startedAt,
        quick: options.quick,
        deno: Deno.version.deno,
        cores: navigator.hardwareConcurrency,
        sections: Object.fromEntries(results.map((r) => [r.id, {
          ...r,
          figures: r.figures.map(figureJson),
        }])),
      },
      null,
      2,
    ) + "\n",
  );
  const missed = results.flatMap((r) => r.figures.map(figureJson)).filter((f) => f.met === false);
  const failed = results.filter((r) => r.error);
  const skipped = results.filter((r) => r.skipped);
  console.log(
    `figures written to ${jsonPath}; goals missed: ${missed.length}` +
      (missed.length ? ` (${missed.map((f) => f.label).join("; ")})` : "") +
      `; sections skipped: ${skipped.length}; failed: ${failed.length}` +
      (failed.length ? ` (${failed.map((r) => r.id).join(", ")})` : ""),
  );
  return failed.length > 0 ? 1 : 0;
}

Deno.exit(await main());
