#!/usr/bin/env node
// The command runs the esbuild bundle (`npm run build`; the one the image ships) when it is
// there. Only a development checkout without a build falls back to the TypeScript sources,
// through tsx: a development dependency that production installs do not have.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/node/cli/main.mjs', import.meta.url);
const sources = new URL('../src/cli/main.ts', import.meta.url);

if (existsSync(bundle)) {
  await import(bundle.href);
} else if (existsSync(sources)) {
  const tsx = await import('tsx/esm/api').catch((error) => {
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  });
  if (tsx === undefined) {
    process.stderr.write('residency-proxy: no build in dist/node and no tsx to run the sources: run `npm install` then `npm run build`\n');
    process.exit(1);
  }
  tsx.register();
  await import(sources.href);
} else {
  process.stderr.write('residency-proxy: dist/node/cli/main.mjs is missing: run `npm run build`\n');
  process.exit(1);
}
