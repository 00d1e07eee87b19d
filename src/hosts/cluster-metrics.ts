/**
 * One /metrics view of several worker processes: the Prometheus text of each
 * worker merged into one exposition. Counters and histograms are summed
 * series by series, so rates are the pod's; a gauge is a reading of one
 * process (its memory, its event-loop lag), so each worker's gauges keep
 * their own series with a `worker` label.
 */

interface Family {
  help: string;
  type: string;
  /** Sample (name and label text) -> value, in the order first seen. */
  samples: Map<string, number>;
}

export type Exposition = Map<string, Family>;

/** The workers' counters and histograms merged so far, plus their gauges labelled by worker. */
export function mergeExpositions(reports: ReadonlyArray<{ worker: string; text: string }>, into: Exposition = new Map()): Exposition {
  for (const { worker, text } of reports) addExposition(into, text, worker);
  return into;
}

/** Adds a worker's counters and histograms only: what a worker that has gone counted stays counted. */
export function retireExposition(retired: Exposition, text: string): void {
  addExposition(retired, text, undefined);
}

export function copyExposition(source: Exposition): Exposition {
  return new Map([...source].map(([name, family]) => [name, { ...family, samples: new Map(family.samples) }]));
}

export function renderExposition(exposition: Exposition): string {
  const lines: string[] = [];
  for (const [name, { help, type, samples }] of exposition) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [sample, value] of samples) lines.push(`${sample} ${formatValue(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `worker` undefined: gauges are dropped (a retired worker's readings no longer describe anything). */
function addExposition(into: Exposition, text: string, worker: string | undefined): void {
  let family: Family | undefined;
  let help = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('# HELP ')) {
      help = line.slice(line.indexOf(' ', 7) + 1);
    } else if (line.startsWith('# TYPE ')) {
      const [name = '', type = 'untyped'] = line.slice(7).split(' ');
      family = into.get(name);
      if (!family) into.set(name, (family = { help, type, samples: new Map() }));
    } else if (line !== '' && !line.startsWith('#') && family) {
      const sample = parseSample(line);
      if (!sample) continue;
      if (family.type === 'gauge') {
        if (worker === undefined) continue;
        const key = withWorker(sample.series, worker);
        family.samples.set(key, sample.value);
      } else {
        family.samples.set(sample.series, (family.samples.get(sample.series) ?? 0) + sample.value);
      }
    }
  }
}

/** `name{labels} value`; label values may hold spaces, braces and escaped quotes. */
function parseSample(line: string): { series: string; value: number } | undefined {
  let end = line.indexOf('{');
  const space = line.indexOf(' ');
  if (end === -1 || (space !== -1 && space < end)) {
    end = space;
  } else {
    let quoted = false;
    for (end += 1; end < line.length; end++) {
      const char = line[end];
      if (quoted && char === '\\') end++;
      else if (char === '"') quoted = !quoted;
      else if (char === '}' && !quoted) break;
    }
    end++;
  }
  if (end <= 0 || end >= line.length) return undefined;
  const [valueText = ''] = line.slice(end).trim().split(' ');
  const value = parseValue(valueText);
  return Number.isNaN(value) && valueText !== 'NaN' ? undefined : { series: line.slice(0, end), value };
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

function withWorker(series: string, worker: string): string {
  const label = `worker="${worker}"`;
  return series.endsWith('}') ? `${series.slice(0, -1)},${label}}` : `${series}{${label}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}
