/**
 * What a bench section measured and how it is shown: a figure has a value, optionally a goal
 * (the product's promise) and a baseline measured in the same run (the ratio shows the cost).
 * Pure formatting; nothing here measures or prints.
 */

export interface Goal {
  /** `<`: the value must stay below; `>=`: the value must reach (shown as ≥). */
  op: "<" | ">=";
  value: number;
}

export interface Figure {
  label: string;
  /** null when it could not be measured (say why in the notes). */
  value: number | null;
  unit: string;
  goal?: Goal;
  baseline?: { label: string; value: number };
  /** Decimals shown; by default fewer as the number grows. */
  digits?: number;
}

export interface SectionResult {
  id: string;
  title: string;
  figures: Figure[];
  notes: string[];
  /** Why the section did not run (e.g. no network namespaces). */
  skipped?: string;
  /** What failed when the section could not finish. */
  error?: string;
  /** The helpers' raw results, kept in the JSON. */
  details?: unknown;
  seconds: number;
  /** 1-minute load average of the machine when the section started (null off Linux). */
  loadAverage: number | null;
}

export function goalMet(value: number, goal: Goal): boolean {
  return goal.op === "<" ? value < goal.value : value >= goal.value;
}

export function formatNumber(value: number, digits?: number): string {
  const decimals = digits ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toLocaleString("en-US", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

function withUnit(text: string, unit: string): string {
  return unit ? `${text} ${unit}` : text;
}

/** Goals are round numbers: shown without decimals unless they have some. */
function goalDigits(value: number, digits?: number): number | undefined {
  return Number.isInteger(value) ? 0 : digits;
}

/** Table rows for the figures: measure, value, goal, status, baseline, ratio. */
export function figureRow(figure: Figure): string[] {
  const value = figure.value === null
    ? "n/a"
    : withUnit(formatNumber(figure.value, figure.digits), figure.unit);
  const goal = figure.goal
    ? withUnit(
      `${figure.goal.op === ">=" ? "≥" : "<"} ${
        formatNumber(figure.goal.value, goalDigits(figure.goal.value, figure.digits))
      }`,
      figure.unit,
    )
    : "";
  const status = figure.goal && figure.value !== null
    ? (goalMet(figure.value, figure.goal) ? "met" : "MISSED")
    : "";
  const baseline = figure.baseline
    ? `${figure.baseline.label}: ${
      withUnit(formatNumber(figure.baseline.value, figure.digits), figure.unit)
    }`
    : "";
  const ratio = figure.baseline && figure.value !== null && figure.baseline.value !== 0
    ? `${formatNumber(figure.value / figure.baseline.value, 2)}×`
    : "";
  return [figure.label, value, goal, status, baseline, ratio];
}

/** Left-aligned columns (numbers right-aligned), empty trailing columns dropped. */
export function renderTable(header: string[], rows: string[][]): string {
  const used = header.map((_, c) => rows.some((r) => r[c] !== ""));
  const columns = header.map((_, c) => c).filter((c) => c === 0 || used[c]);
  const widths = columns.map((c) => Math.max(header[c].length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[], align: boolean) =>
    columns.map((c, i) =>
      align && c === 1 ? cells[c].padStart(widths[i]) : cells[c].padEnd(widths[i])
    ).join("  ").trimEnd();
  return [
    line(header, false),
    columns.map((_, i) => "-".repeat(widths[i])).join("  "),
    ...rows.map((r) => line(r, true)),
  ].join("\n");
}

export const FIGURE_HEADER = ["measure", "value", "goal", "status", "baseline (same run)", "ratio"];

/** The printed block of one section: heading, table (or why not), notes. */
export function renderSection(number: string, result: SectionResult): string {
  const load = result.loadAverage === null ? "" : `, load ${formatNumber(result.loadAverage, 2)}`;
  const heading = `== ${number}. ${result.title} (${formatNumber(result.seconds, 1)} s${load}) ==`;
  const lines = [heading];
  if (result.skipped) lines.push(`SKIPPED: ${result.skipped}`);
  if (result.figures.length > 0) {
    lines.push(renderTable(FIGURE_HEADER, result.figures.map(figureRow)));
  }
  if (result.error) lines.push(`FAILED: ${result.error}`);
  for (const note of result.notes) lines.push(`  note: ${note}`);
  return lines.join("\n");
}

/** The JSON form of a figure: the value plus whether the goal was met and the ratio. */
export function figureJson(figure: Figure) {
  return {
    ...figure,
    met: figure.goal && figure.value !== null ? goalMet(figure.value, figure.goal) : null,
    ratio: figure.baseline && figure.value !== null && figure.baseline.value !== 0
      ? figure.value / figure.baseline.value
      : null,
  };
}
