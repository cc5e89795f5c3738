/**
 * Renders rows as a plain-text table with aligned columns, for terminals and monospaced
 * chat. Cells are cut at `maxCell` characters so one long error cannot push the rest off screen.
 */
export function renderTable(
  headers: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  maxCell = 60,
): string[] {
  const cut = (text: string) => (text.length > maxCell ? `${text.slice(0, maxCell - 1)}…` : text);
  const cells = [headers, ...rows].map((r) => headers.map((_, i) => cut((r[i] ?? '').replace(/\s+/g, ' '))));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] as string).length)));
  return cells.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd(),
  );
}
