/**
 * One SVG path drawing a QR code's dark modules (`data[y][x]` true = dark), a horizontal run
 * per rectangle, so a 57×57 code is a few hundred path commands instead of 3,000 elements.
 */
export function qrPath(data: readonly (readonly boolean[])[]): string {
  const parts: string[] = [];
  data.forEach((row, y) => {
    let x = 0;
    while (x < row.length) {
      if (!row[x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < row.length && row[x]) x++;
      parts.push(`M${start} ${y}h${x - start}v1h-${x - start}z`);
    }
  });
  return parts.join("");
}
