/**
 * Micro-benchmark of masking and envelope encryption on one core, in
 * process (no HTTP, no network store):
 * - masking MB/s on generated chat JSON (every kind on, a value to mask in
 *   about one message of three), streamed in 64 KiB chunks;
 * - encryption and decryption MB/s (chunked AES-256-GCM, 64 KiB chunks);
 * - small PUTs (4 KiB chat JSON) through the object service onto a memory
 *   store, with masking and encryption both on against both off.
 * Wall clock and CPU time are both reported: CPU is steadier on a shared machine.
 *
 *   node --import tsx bench/masking-encryption.bench.ts    # prints one JSON line
 */
import { createMemoryStore } from '../src/adapters/memory.ts';
import { decryptStream, encryptStream, importDataKey } from '../src/crypto/chunked-aead.ts';
import { KeyService } from '../src/crypto/key-service.ts';
import { localKek, newLocalKekJwk } from '../src/crypto/local-kek.ts';
import { ZoneEncryption } from '../src/crypto/zone-encryption.ts';
import { MASK_KINDS } from '../src/masking/kinds.ts';
import { createMasking } from '../src/masking/stream.ts';
import { createIdentifierHasher } from '../src/policy/identifiers.ts';
import { loadPolicy } from '../src/policy/load.ts';
import { ObjectService } from '../src/service/objects.ts';
import { StoreRegistry } from '../src/service/stores.ts';

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PHRASES = [
  'Hi, I was charged twice for order 100234, can you help?',
  'Sure, could you confirm the e-mail on the account?',
  "It's jane.doe@example.co.uk and my number is +44 20 7946 0958",
  'The card ends in 1111, the full number was 4111 1111 1111 1111',
  'Thanks! The refund of £12.50 is on its way, reference 1764758400123.',
  'App version v2.10.4 on 2026-11-21T10:00:00Z, session 123e4567-e89b-12d3-a456-426614174000',
  'Please refund to GB82 WEST 1234 5698 7654 32',
  'Nothing sensitive in this message at all, just a longer sentence about the weather and the delivery window.',
];

/** Chat transcript JSON of about `bytes` bytes. */
function chatJson(bytes: number, seed = 1): Uint8Array {
  const random = seeded(seed);
  const messages: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i += 1) {
    const message = JSON.stringify({
      at: new Date(1_764_000_000_000 + i * 1000).toISOString(),
      from: i % 2 ? 'agent' : 'visitor',
      text: PHRASES[Math.floor(random() * PHRASES.length)],
    });
    messages.push(message);
    size += message.length + 1;
  }
  return new TextEncoder().encode(`{"conversation":"c-1","messages":[${messages.join(',')}]}`);
}

function chunked(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.subarray(at, at + CHUNK));
      at += CHUNK;
    },
  });
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  let total = 0;
  for await (const chunk of stream) total += chunk.byteLength;
  return total;
}

interface Rate {
  MBps: number;
  cpuMBps: number;
}

async function timed(bytes: number, run: () => Promise<unknown>): Promise<Rate> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await run();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const round = (value: number) => Math.round(value * 10) / 10;
  return { MBps: round(bytes / MiB / seconds), cpuMBps: round(bytes / MiB / cpuSeconds) };
}

async function benchMasking(bytes: number): Promise<Rate & { masks: Record<string, number> }> {
  const body = chatJson(bytes);
  let masks: Record<string, number> = {};
  const rate = await timed(body.byteLength, async () => {
    const masking = createMasking({ kinds: MASK_KINDS, custom: [], contentType: 'application/json' });
    await drain(chunked(body).pipeThrough(masking.stream));
    masks = masking.counts();
  });
  return { ...rate, masks };
}

async function benchEncryption(bytes: number): Promise<{ encrypt: Rate; decrypt: Rate }> {
  const key = await importDataKey(new Uint8Array(16), crypto.getRandomValues(new Uint8Array(32)));
  const plain = new Uint8Array(bytes).fill(7);
  let sealed = new Uint8Array(0);
  const encrypt = await timed(bytes, async () => {
    sealed = new Uint8Array(await new Response(chunked(plain).pipeThrough(encryptStream(key, 'objects/bench/acme/k'))).arrayBuffer());
  });
  const decrypt = await timed(bytes, () => drain(chunked(sealed).pipeThrough(decryptStream(async () => key, 'objects/bench/acme/k', sealed.byteLength))));
  return { encrypt, decrypt };
}

async function benchSmallPuts(count: number, protectedWrites: boolean): Promise<{ putsPerSecond: number; cpuPutsPerSecond: number }> {
  const loaded = loadPolicy(
    JSON.stringify({
      version: 1,
      auth: { issuer: 'https://idp.test/', audience: 'a', algorithms: ['ES256'], jwks: { keys: [{}] } },
      ...(protectedWrites && { encryption: { keys: { dev: { type: 'local', secretEnv: 'BENCH_KEK', jurisdiction: 'UK' } } } }),
      zones: {
        'uk-eu': {
          jurisdictions: ['UK', 'EU'],
          regions: ['GB'],
          store: 'london',
          ...(protectedWrites && { encryption: { key: 'dev', keyStore: 'london-keys' } }),
        },
      },
      stores: { london: { type: 'memory', jurisdiction: 'UK' }, 'london-keys': { type: 'memory', jurisdiction: 'UK' } },
      dataClasses: { 'chat-transcript': { retentionDays: 365, ...(protectedWrites && { mask: [...MASK_KINDS] }) } },
    }),
  );
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const policy = loaded.policy;
  const encryption = protectedWrites
    ? new Map([['uk-eu', new ZoneEncryption(new KeyService(createMemoryStore(), await localKek(newLocalKekJwk('bench')), 'subject'))]])
    : undefined;
  const service = new ObjectService({
    policy,
    stores: new StoreRegistry(policy, new Map([['london', createMemoryStore()]])),
    hashIdentifier: await createIdentifierHasher(new TextEncoder().encode('bench')),
    now: Date.now,
    ...(encryption && { encryption }),
  });
  const body = chatJson(4096, 2);
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < count; i += 1) {
    const call = { principal: { account: 'acme', region: 'GB', scopes: new Set<string>(), expiresAt: 0 }, trail: { action: 'write' } };
    await service.write(call, { dataClass: 'chat-transcript', key: `k/${i}` }, () => ({
      body: chunked(body),
      contentType: 'application/json',
      contentEncoding: '',
      subject: `visitor-${i % 50}`,
    }));
  }
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { putsPerSecond: Math.round(count / seconds), cpuPutsPerSecond: Math.round(count / ((used.user + used.system) / 1e6)) };
}

const masking = await benchMasking(32 * MiB);
const encryption = await benchEncryption(64 * MiB);
await benchSmallPuts(200, true); // warm-up
const smallPutBothOff = await benchSmallPuts(3000, false);
const smallPutBothOn = await benchSmallPuts(3000, true);
console.log(
  JSON.stringify({
    bench: 'masking-encryption',
    node: process.version,
    maskingChatJson: masking,
    encryption,
    smallPut4KiB: { bothOff: smallPutBothOff, bothOn: smallPutBothOn },
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
