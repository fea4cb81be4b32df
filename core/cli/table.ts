/**
 * Column-aligned text tables for the command line, like `ollama ls`: a header row in capitals,
 * columns padded to their widest cell and two spaces apart, no trailing spaces.
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => i === cells.length - 1 ? cell : cell.padEnd(widths[i])).join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}
