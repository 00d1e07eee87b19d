import { configureSync, getConfig, getConsoleSink, getLogger, jsonLinesFormatter, type LogLevel, type Logger } from '@logtape/logtape';

/**
 * The gateway's operational log (audit events have their own sink): JSON
 * lines with a level, through LogTape, which runs on Node and Workers alike.
 * On Node the console writes info to stdout and warnings and errors to
 * stderr; on Workers the lines go to the Worker's log.
 */
export const log: Logger = getLogger(['residency-proxy']);

export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warning', 'error', 'fatal'];

/**
 * Sends the gateway's log to the console at `level` and above. Leaves an
 * existing LogTape configuration alone: an application (or a test) that
 * configured its own sinks keeps them.
 */
export function configureLogging(level: LogLevel = 'info'): void {
  if (getConfig() !== null) return;
  configureSync({
    sinks: { console: getConsoleSink({ formatter: jsonLinesFormatter }) },
    loggers: [
      { category: ['residency-proxy'], sinks: ['console'], lowestLevel: level },
      { category: ['logtape', 'meta'], sinks: ['console'], lowestLevel: 'warning' },
    ],
  });
}

/** `LOG_LEVEL` as an operator writes it (`warn` is accepted for `warning`); `undefined` when unset or unknown. */
export function logLevelFrom(text: unknown): LogLevel | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  const level = text.toLowerCase() === 'warn' ? 'warning' : text.toLowerCase();
  return LOG_LEVELS.find((known) => known === level);
}
