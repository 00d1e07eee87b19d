/**
 * Prometheus counters and a latency histogram, rendered as text exposition.
 * Hand-written because prom-client depends on Node internals and this module
 * must also run on Workers; it needs nothing beyond labelled counters.
 */
type Labels = Record<string, string>;

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Metrics {
  readonly #counters = new Map<string, { help: string; values: Map<string, number> }>();
  readonly #histogram = { counts: new Map<string, number[]>(), sums: new Map<string, number>() };

  count(name: string, help: string, labels: Labels, by = 1): void {
    let counter = this.#counters.get(name);
    if (!counter) this.#counters.set(name, (counter = { help, values: new Map() }));
    const key = labelText(labels);
    counter.values.set(key, (counter.values.get(key) ?? 0) + by);
  }

  observeRequest(labels: Labels, seconds: number): void {
    const key = labelText(labels);
    let counts = this.#histogram.counts.get(key);
    if (!counts) this.#histogram.counts.set(key, (counts = new Array<number>(DURATION_BUCKETS.length + 1).fill(0)));
    const bucket = DURATION_BUCKETS.findIndex((le) => seconds <= le);
    counts[bucket === -1 ? DURATION_BUCKETS.length : bucket]! += 1;
    this.#histogram.sums.set(key, (this.#histogram.sums.get(key) ?? 0) + seconds);
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, { help, values }] of this.#counters) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, value] of values) lines.push(`${name}${labels} ${value}`);
    }
    const name = 'residency_http_request_duration_seconds';
    lines.push(`# HELP ${name} Time from request to response headers.`, `# TYPE ${name} histogram`);
    for (const [labels, counts] of this.#histogram.counts) {
      let cumulative = 0;
      DURATION_BUCKETS.forEach((le, i) => {
        cumulative += counts[i]!;
        lines.push(`${name}_bucket${withLabel(labels, 'le', String(le))} ${cumulative}`);
      });
      cumulative += counts[DURATION_BUCKETS.length]!;
      lines.push(`${name}_bucket${withLabel(labels, 'le', '+Inf')} ${cumulative}`);
      lines.push(`${name}_sum${labels} ${this.#histogram.sums.get(labels) ?? 0}`, `${name}_count${labels} ${cumulative}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function withLabel(labels: string, key: string, value: string): string {
  return labels ? `${labels.slice(0, -1)},${key}="${value}"}` : `{${key}="${value}"}`;
}
