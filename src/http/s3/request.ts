import type { Context } from 'hono';
import type { SignableRequest } from '../../auth/sigv4/canonical.ts';
import { decodeKey } from '../../policy/keys.ts';
import { Refusal, valueOrThrow } from '../../policy/refusal.ts';
import type { Call } from '../../service/objects.ts';
import type { GatewayDeps, GatewayEnv } from '../context.ts';

export type S3Context = Context<GatewayEnv>;

/** The request exactly as sent (raw path, raw query, every header occurrence), for the signature check. */
export function signableRequest(c: S3Context, deps: GatewayDeps): SignableRequest {
  const url = c.req.url;
  const query = url.indexOf('?');
  return {
    method: c.req.method,
    rawPath: deps.runtime.rawPath(c),
    rawQuery: query === -1 ? '' : url.slice(query + 1),
    headerValues: (name) => deps.runtime.headerValues(c, name),
    headerNames: () => [...c.req.raw.headers.keys()],
  };
}

/** Path-style addressing: `/{bucket}/{key}`, the bucket being a data class. */
export interface S3Target {
  bucket?: string;
  key?: string;
}

export function targetOf(c: S3Context, deps: GatewayDeps): S3Target {
  const path = deps.runtime.rawPath(c).slice(1);
  if (path === '') return {};
  const slash = path.indexOf('/');
  const bucket = decodeKey(slash === -1 ? path : path.slice(0, slash));
  if (!bucket.ok) throw new Refusal('data_class_unknown', 'the bucket name is not valid percent-encoded UTF-8');
  if (slash === -1 || slash === path.length - 1) return { bucket: bucket.value };
  return { bucket: bucket.value, key: valueOrThrow(decodeKey(path.slice(slash + 1))) };
}

export function callOf(c: S3Context): Call {
  return { principal: c.get('principal'), trail: c.get('trail') };
}

/** A header that must appear at most once. */
export function singleHeader(c: S3Context, deps: GatewayDeps, name: string): string | undefined {
  const values = deps.runtime.headerValues(c, name);
  if (values.length > 1) throw new Refusal('bad_request', `the ${name} header appears ${values.length} times`);
  return values[0];
}

export function queryOf(c: S3Context): URLSearchParams {
  return new URL(c.req.url).searchParams;
}
