/**
 * Prometheus counters, gauges and histograms, rendered as text exposition.
 * Hand-written because prom-client depends on Node internals and this module
 * must also run on Workers. What only a runtime can measure (process memory,
 * CPU, event-loop lag) comes in through collectors the host registers.
 */
export type Labels = Readonly<Record<string, string>>;

type FamilyType = 'counter' | 'gauge' | 'histogram';

export interface Sample {
  labels?: Labels;
  value: number;
}

/** A gauge or counter whose values are read when the metrics are scraped. */
export interface CollectedFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: readonly Sample[];
}

export type MetricsCollector = () => readonly CollectedFamily[];

/** Seconds, from a fast cache hit to a slow store call. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

interface Histogram {
  counts: number[];
  sum: number;
}

interface Family {
  help: string;
  type: FamilyType;
  buckets?: readonly number[];
  /** By rendered label text. */
  values: Map<string, number | Histogram>;
}

export class Metrics {
  readonly #families = new Map<string, Family>();
  readonly #collectors: MetricsCollector[] = [];

  count(name: string, help: string, labels: Labels, by = 1): void {
    const values = this.#family(name, help, 'counter').values;
    const key = labelText(labels);
    values.set(key, ((values.get(key) as number | undefined) ?? 0) + by);
  }

  set(name: string, help: string, labels: Labels, value: number): void {
    this.#family(name, help, 'gauge').values.set(labelText(labels), value);
  }

  observe(name: string, help: string, labels: Labels, value: number, buckets: readonly number[] = DURATION_BUCKETS): void {
    const family = this.#family(name, help, 'histogram');
    family.buckets ??= buckets;
    const key = labelText(labels);
    let histogram = family.values.get(key) as Histogram | undefined;
    if (!histogram) family.values.set(key, (histogram = { counts: new Array<number>(family.buckets.length + 1).fill(0), sum: 0 }));
    const bucket = family.buckets.findIndex((le) => value <= le);
    histogram.counts[bucket === -1 ? family.buckets.length : bucket]! += 1;
    histogram.sum += value;
  }

  /** Adds families read at every scrape (runtime measurements, states kept elsewhere). */
  register(collector: MetricsCollector): void {
    this.#collectors.push(collector);
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, family] of this.#families) renderFamily(lines, name, family);
    for (const collector of this.#collectors) {
      for (const { name, help, type, samples } of collector()) {
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
        for (const sample of samples) lines.push(`${name}${labelText(sample.labels ?? {})} ${formatValue(sample.value)}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  #family(name: string, help: string, type: FamilyType): Family {
    let family = this.#families.get(name);
    if (!family) this.#families.set(name, (family = { help, type, values: new Map() }));
    else if (family.type !== type) throw new Error(`metric ${name} is a ${family.type}, not a ${type}`);
    return family;
  }
}

function renderFamily(lines: string[], name: string, family: Family): void {
  lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
  for (const [labels, value] of family.values) {
    if (typeof value === 'number') {
      lines.push(`${name}${labels} ${formatValue(value)}`);
      continue;
    }
    const buckets = family.buckets!;
    let cumulative = 0;
    buckets.forEach((le, i) => {
      cumulative += value.counts[i]!;
      lines.push(`${name}_bucket${withLabel(labels, 'le', String(le))} ${cumulative}`);
    });
    cumulative += value.counts[buckets.length]!;
    lines.push(`${name}_bucket${withLabel(labels, 'le', '+Inf')} ${cumulative}`);
    lines.push(`${name}_sum${labels} ${formatValue(value.sum)}`, `${name}_count${labels} ${cumulative}`);
  }
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}

/** An empty value is the same as no label to Prometheus, so it is left out (no `code=""` on allowed decisions). */
function labelText(labels: Labels): string {
  const parts = Object.entries(labels)
    .filter(([, value]) => value !== '')
    .map(([k, v]) => `${k}="${v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function withLabel(labels: string, key: string, value: string): string {
  return labels ? `${labels.slice(0, -1)},${key}="${value}"}` : `{${key}="${value}"}`;
}
