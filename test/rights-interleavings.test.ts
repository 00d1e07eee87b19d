import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { createFsStore } from '../src/adapters/fs.ts';
import { createMemoryStore } from '../src/adapters/memory.ts';
import { interleavedErasureSuite } from './helpers/interleaved-rights.ts';

const roots: string[] = [];
after(() => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));

interleavedErasureSuite('the memory store', async () => createMemoryStore(), 60);
interleavedErasureSuite(
  'the fs store',
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'residency-interleave-'));
    roots.push(root);
    return createFsStore({ root });
  },
  40,
);
