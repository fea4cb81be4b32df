/** The shape of one bench section: what it needs, and a run that returns its figures. */
import type { SectionId } from "./options.ts";
import type { Figure } from "./report.ts";

export interface BenchContext {
  /** Smaller counts for a smoke run. */
  quick: boolean;
  /** `--nodes`: how many nodes a scale section runs instead of its default. */
  nodes?: number;
}

export interface SectionOutput {
  figures: Figure[];
  notes?: string[];
  details?: unknown;
}

export interface Section {
  id: SectionId;
  /** Shown before the title: "1", "5a"… */
  number: string;
  title: string;
  /** Runs real nodes in network namespaces (root + iproute2). */
  needsNetns: boolean;
  run(context: BenchContext): Promise<SectionOutput>;
}
