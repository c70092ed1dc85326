/** Reads Prometheus' text exposition format (what GET /metrics answers) for assertions. */
export type Labels = Record<string, string>;

export interface Sample {
  name: string;
  labels: Labels;
  value: number;
}

/** The samples of an exposition, comments skipped; a line that is no sample fails the test. */
export function parseMetrics(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not a sample line: ${line}`);
      const labels: Labels = {};
      for (const pair of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

/** Sum of the samples of `name` whose labels include `labels` (0 when none). */
export function total(samples: Sample[], name: string, labels: Labels = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}
