/**
 * What every benchmark prints and how `run.mjs` collects it. Each benchmark prints a human table, then as its
 * LAST line `BENCH_JSON {"bench": NAME, "rows": [...], "ratios": [...], "notes": [...]}` where a row is
 * `{ "what", "seconds", "peakMb", "note"? }` (seconds = median) and a ratio is
 * `{ "what", "value", "target", "met"? }`, target a string like "<= 1.5", or "-" and no `met` for a ratio printed
 * for information only.
 */
export const JSON_PREFIX = 'BENCH_JSON ';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Median of the runs' wall times and the largest peak memory seen. */
export function summarize(what, runs, note) {
  return {
    what,
    seconds: median(runs.map((r) => r.seconds)),
    peakMb: Math.max(...runs.map((r) => r.peakMb)),
    runs: runs.map((r) => Number(r.seconds.toFixed(3))),
    ...(note ? { note } : {}),
  };
}

export function ratio(what, value, comparator, bound) {
  const met = comparator === '<=' ? value <= bound : value >= bound;
  return { what, value, target: `${comparator} ${bound}`, met };
}

/** A ratio printed for information, judged against no target. */
export function infoRatio(what, value) {
  return { what, value, target: '-' };
}

/** The last column of a ratio's line: met, MISSED, or `info` for a ratio without a target. */
export function verdict(r) {
  if (r.met === undefined) return 'info';
  return r.met ? 'met' : 'MISSED';
}

export function formatSeconds(seconds) {
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(1)} h`;
  if (seconds >= 600) return `${(seconds / 60).toFixed(1)} min`;
  return `${seconds.toFixed(2)} s`;
}

export function formatTable(headers, rows) {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((row) => String(row[c]).length)));
  const line = (cells) =>
    cells.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function printReport(report) {
  const rows = report.rows.map((row) => [
    row.what,
    formatSeconds(row.seconds),
    row.peakMb ? `${Math.round(row.peakMb)} MB` : '-',
    row.note ?? '',
  ]);
  console.log(formatTable(['what', 'median', 'peak memory', 'note'], rows));
  if (report.ratios.length > 0) {
    console.log('');
    const ratioRows = report.ratios.map((r) => [r.what, r.value.toFixed(2), r.target, verdict(r)]);
    console.log(formatTable(['ratio', 'value', 'target', ''], ratioRows));
  }
  for (const note of report.notes ?? []) console.log(`note: ${note}`);
  console.log(`${JSON_PREFIX}${JSON.stringify(report)}`);
}

/** The report a benchmark printed as its last `BENCH_JSON` line, or `undefined`. */
export function parseReport(stdout) {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(JSON_PREFIX));
  return line ? JSON.parse(line.slice(JSON_PREFIX.length)) : undefined;
}
