import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { createFsStore } from '../src/adapters/fs.ts';
import { createMemoryStore } from '../src/adapters/memory.ts';
import { dataRightsSuite } from './helpers/data-rights-suite.ts';

dataRightsSuite('the memory store', { openStore: async () => createMemoryStore() });

let root: string | undefined;
after(() => (root ? rm(root, { recursive: true, force: true }) : undefined));
dataRightsSuite('the fs store', {
  async openStore() {
    root = await mkdtemp(join(tmpdir(), 'residency-rights-'));
    return createFsStore({ root });
  },
});
