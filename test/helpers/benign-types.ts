/** The boundary of test/fixtures/benign/form.multipart. */
export const BENIGN_MULTIPART_BOUNDARY = 'benign-fixture-boundary-3f9a';

const CONTENT_TYPE_BY_EXTENSION: Readonly<Record<string, string>> = {
  txt: 'text/plain; charset=utf-8',
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  csv: 'text/csv',
  ts: 'text/plain',
  js: 'application/javascript',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  zip: 'application/zip',
  bin: 'application/octet-stream',
  so: 'application/octet-stream',
  wasm: 'application/wasm',
  ttf: 'font/ttf',
  t1: 'application/x-font-type1',
  log: 'text/plain; charset=utf-8',
  multipart: `multipart/form-data; boundary=${BENIGN_MULTIPART_BOUNDARY}`,
};

/** The Content-Type a client would send a benign fixture with. */
export const benignContentType = (name: string): string => CONTENT_TYPE_BY_EXTENSION[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
