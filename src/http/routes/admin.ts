import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { ObjectStore } from '../../adapters/types.ts';
import { resolveZone } from '../../policy/decide.ts';
import { indexedObject, storeKey, subjectIndexPrefix } from '../../policy/keys.ts';
import type { CompiledZone } from '../../policy/load.ts';
import { Refusal, valueOrThrow } from '../../policy/refusal.ts';
import { requireScope } from '../../auth/claims.ts';
import { readSmallBody } from '../../service/body.ts';
import type { GatewayDeps, GatewayEnv } from '../context.ts';
import { eraseAccountAndKeys, eraseSubjectAndKey, type Erasure } from '../../rights/erasure-with-keys.ts';
import { listHolds, placeHold, releaseHold, type Hold } from '../../rights/holds.ts';

type Ctx = Context<GatewayEnv>;

const SUBJECT = /^[\x21-\x7e]{1,256}$/;
const holdRequest = z.strictObject({ reason: z.string().min(1).max(1000) });

interface AdminScope {
  account: string;
  zone: CompiledZone;
  store: ObjectStore;
  /** Keyed hash of the `{subject}` path parameter, when the route has one. */
  subjectHash?: string;
  /** The zone's encryption, when its policy encrypts. */
  encryption?: ZoneEncryption;
}

/** One zone's encryption, as GatewayDeps holds it (the http room does not import the crypto room). */
type ZoneEncryption = NonNullable<GatewayDeps['encryption']> extends ReadonlyMap<string, infer E> ? E : never;

/**
 * Data-subject rights and legal holds, for tokens with the policy's admin
 * scope. Everything happens in the caller's own account and its zone's store.
 */
export function adminRoutes(app: Hono<GatewayEnv>, deps: GatewayDeps): void {
  const admin = (action: string, run: (c: Ctx, scope: AdminScope) => Promise<Response>) => async (c: Ctx) => {
    const subject = c.req.param('subject');
    const trail = c.get('trail');
    Object.assign(trail, { action, ...(subject !== undefined && { subject }) });
    const principal = c.get('principal');
    requireScope(principal, deps.policy.document.auth.adminScope);
    if (subject !== undefined && !SUBJECT.test(subject)) throw new Refusal('bad_request', 'a subject id is 1-256 printable ASCII characters');
    const zone = valueOrThrow(resolveZone(deps.policy, principal.region));
    Object.assign(trail, { zone: zone.name, store: zone.storeName, location: zone.placement.location });
    const encryption = deps.encryption?.get(zone.name);
    // Like the object service: a zone that encrypts but whose keys are not open here is not erased without its keys.
    if (!encryption && zone.encryption) {
      throw new Refusal('store_unavailable', `zone "${zone.name}" encrypts its data and its keys are not open here`);
    }
    const scope: AdminScope = { account: principal.account, zone, store: deps.stores.forZone(zone), ...(encryption && { encryption }) };
    if (subject !== undefined) scope.subjectHash = await deps.hashIdentifier(subject);
    return run(c, scope);
  };

  const receipt = (scope: AdminScope, kind: 'subject' | 'account', startedAt: number, erasure: Erasure) => ({
    account: scope.account,
    zone: scope.zone.name,
    store: scope.zone.storeName,
    scope: kind,
    ...(scope.subjectHash !== undefined && { subjectHash: scope.subjectHash }),
    ...erasure,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(deps.now()).toISOString(),
    policyVersion: deps.policyVersion,
  });

  app.get(
    '/v1/subjects/:subject/objects',
    admin('list-subject', async (c, scope) => {
      const prefix = subjectIndexPrefix(scope.account, scope.subjectHash!);
      const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 100) || 100, 1), 1000);
      const cursor = c.req.query('cursor');
      const page = await scope.store.list(prefix, { limit, ...(cursor && { cursor }) });
      const items = [];
      for (const entry of page.items) {
        const target = indexedObject(entry.key, prefix);
        if (!target) continue;
        const info = await scope.store.head(storeKey({ ...target, account: scope.account }));
        // Stale entries (object gone, or overwritten for another subject) are not the subject's data.
        if (!info || info.metadata.subject !== scope.subjectHash) continue;
        items.push({
          dataClass: target.dataClass,
          key: target.key,
          size: scope.encryption ? plaintextSize(scope.encryption, info.size) : info.size,
          lastModified: info.lastModified,
          expiresAt: info.metadata.expiresAt ?? null,
        });
      }
      return c.json({ subjectHash: scope.subjectHash, items, cursor: page.cursor ?? null });
    }),
  );

  app.delete(
    '/v1/subjects/:subject',
    admin('erase-subject', async (c, scope) => {
      const startedAt = deps.now();
      const erasure = await eraseSubjectAndKey(scope.store, scope.account, scope.subjectHash!, scope.encryption);
      return c.json(receipt(scope, 'subject', startedAt, erasure));
    }),
  );

  app.delete(
    '/v1/account',
    admin('erase-account', async (c, scope) => {
      const confirmation = c.req.header('x-confirm-account');
      if (confirmation !== scope.account) {
        throw new Refusal('bad_request', 'erasing an account needs the header X-Confirm-Account repeating the account id of the token');
      }
      const startedAt = deps.now();
      const erasure = await eraseAccountAndKeys(scope.store, scope.account, [...deps.policy.dataClasses.keys()], scope.encryption);
      return c.json(receipt(scope, 'account', startedAt, erasure));
    }),
  );

  app.get(
    '/v1/holds',
    admin('list-holds', async (c, scope) => c.json({ holds: await listHolds(scope.store, scope.account) })),
  );

  const place = (kind: Hold['scope']) =>
    admin('hold-place', async (c, scope) => {
      let reason: string;
      try {
        reason = holdRequest.parse(JSON.parse(new TextDecoder().decode(await readSmallBody(c.req.raw.body, 4096)))).reason;
      } catch (error) {
        if (error instanceof Refusal) throw error;
        throw new Refusal('bad_request', 'the body must be JSON: {"reason": "…"}');
      }
      const hold: Hold = {
        scope: kind,
        ...(scope.subjectHash !== undefined && { subject: scope.subjectHash }),
        reason,
        placedAt: new Date(deps.now()).toISOString(),
        ...(c.get('principal').subject !== undefined && { placedBy: c.get('principal').subject }),
      };
      await placeHold(scope.store, scope.account, hold);
      return c.json(hold, 201);
    });

  const release = admin('hold-release', async (c, scope) => {
    if (!(await releaseHold(scope.store, scope.account, scope.subjectHash))) throw new Refusal('not_found', 'no such hold');
    return c.body(null, 204);
  });

  app.put('/v1/holds/account', place('account'));
  app.delete('/v1/holds/account', release);
  app.put('/v1/holds/subjects/:subject', place('subject'));
  app.delete('/v1/holds/subjects/:subject', release);
}

/** An encrypted object's size as its owner sees it; one too short to be encrypted (written before encryption was on) keeps its stored size. */
function plaintextSize(encryption: ZoneEncryption, storedSize: number): number {
  try {
    return encryption.plaintextLength(storedSize);
  } catch {
    return storedSize;
  }
}
