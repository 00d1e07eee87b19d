let enabled = false;

/** Whether spans are recorded and exported; when not, request handling skips tracing altogether. */
export function tracingEnabled(): boolean {
  return enabled;
}

export function setTracingEnabled(value: boolean): void {
  enabled = value;
}
