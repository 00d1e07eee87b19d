import { describe } from 'node:test';
import { createMemoryStore } from '../src/adapters/memory.ts';
import { adapterConformance } from './adapter-conformance.ts';

describe('memory adapter', () => {
  adapterConformance(() => createMemoryStore());
});
