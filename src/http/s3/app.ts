import { Hono } from 'hono';
import { createSessionAuthority, type SessionAuthority } from '../../auth/session/credentials.ts';
import { MultipartService } from '../../service/multipart.ts';
import type { GatewayDeps, GatewayEnv } from '../context.ts';
import { requestFrame } from '../request-frame.ts';
import { tracedRequests } from '../traced-requests.ts';
import { log } from '../../service/log.ts';
import { authenticatedS3 } from './authenticated.ts';
import { bucketLocation, createBucket, headBucket, listBucket, listBuckets } from './buckets.ts';
import { notImplemented, s3ErrorOf, s3ErrorResponse } from './errors.ts';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  type KeepAlive,
  listMultipartUploads,
  listParts,
  uploadPart,
} from './multipart.ts';
import { copyObject, deleteObject, deleteObjects, getObject, putObject } from './objects.ts';
import { queryOf, singleHeader, targetOf, type S3Context } from './request.ts';
import { assumeRoleWithWebIdentity, isStsRequest } from './sts.ts';

export interface S3FrontDoorOptions {
  /** `RESIDENCY_SESSION_KEY`: seals session credentials; every instance of a deployment shares it. */
  sessionSecret: string;
  /** When a CompleteMultipartUpload still running starts sending whitespace, and how often (default 10 s, 10 s). */
  completeKeepAlive?: KeepAlive;
}

const COMPLETE_KEEP_ALIVE: KeepAlive = { afterMs: 10_000, everyMs: 10_000 };

/** Query parameters that name an S3 sub-resource the gateway does not offer (ACLs, tagging, versioning, ...). */
const SUBRESOURCES = [
  'accelerate',
  'acl',
  'analytics',
  'attributes',
  'cors',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'logging',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'tagging',
  'torrent',
  'versioning',
  'versions',
  'website',
  'versionId',
];

/**
 * The S3-compatible front door: path-style `/{bucket}/{key}`, the bucket a
 * data class. Every operation is a translation of S3 into a call of the one
 * object service, so decisions, inspection, holds and audit are `/v1`'s.
 */
export function createS3App(deps: GatewayDeps, options: S3FrontDoorOptions): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();
  let sessions: Promise<SessionAuthority> | undefined;
  const sessionAuthority = () => (sessions ??= createSessionAuthority(options.sessionSecret, deps.now));
  const multipart = new MultipartService({
    policy: deps.policy,
    stores: deps.stores,
    objects: deps.objects,
    hashIdentifier: deps.hashIdentifier,
    now: deps.now,
  });

  app.use(
    requestFrame(deps, (c) => {
      c.res.headers.set('x-amz-request-id', c.get('requestId'));
      deps.metrics.count('residency_s3_requests_total', 'S3 front door requests by method and status.', { method: c.req.method, status: String(c.res.status) });
    }),
  );

  app.use(tracedRequests(() => 's3'));

  app.all('*', async (c) => {
    const target = targetOf(c, deps);
    if (target.bucket === undefined && isStsRequest(c)) return assumeRoleWithWebIdentity(c, deps, await sessionAuthority());
    return authenticatedS3(c, deps, await sessionAuthority(), () => operation(c, deps, multipart, options.completeKeepAlive ?? COMPLETE_KEEP_ALIVE, target));
  });

  app.onError((error, c) => {
    if (s3ErrorOf(error).refusal.code === 'internal_error') log.error('S3 request failed', { requestId: c.get('requestId'), method: c.req.method, error });
    return s3ErrorResponse(error, c.get('requestId'), new URL(c.req.url).pathname);
  });
  return app;
}

async function operation(
  c: S3Context,
  deps: GatewayDeps,
  multipart: MultipartService,
  keepAlive: KeepAlive,
  target: { bucket?: string; key?: string },
): Promise<Response> {
  const method = c.req.method;
  const query = queryOf(c);
  const unsupported = SUBRESOURCES.find((name) => query.has(name));
  if (unsupported !== undefined) throw notImplemented(`the ?${unsupported} sub-resource`);
  const { bucket, key } = target;
  if (bucket === undefined) {
    if (method === 'GET') return listBuckets(c, deps);
    throw notImplemented(`${method} /`);
  }
  if (key === undefined) {
    if (method === 'HEAD') return headBucket(c, deps, bucket);
    if (method === 'GET' && query.has('location')) return bucketLocation(c, deps, bucket);
    if (method === 'GET' && query.has('uploads')) return listMultipartUploads(c, multipart, bucket);
    if (method === 'GET') return listBucket(c, deps, bucket);
    if (method === 'PUT' && query.size === 0) return createBucket(c, deps, bucket);
    if (method === 'POST' && query.has('delete')) return deleteObjects(c, deps, bucket);
    throw notImplemented(`${method} on a bucket${query.size > 0 ? ` with ?${[...query.keys()].join('&')}` : ''}`);
  }
  const name = { dataClass: bucket, key };
  const uploadId = query.get('uploadId');
  switch (method) {
    case 'PUT': {
      if (uploadId !== null) return uploadPart(c, deps, multipart, name, uploadId);
      const source = singleHeader(c, deps, 'x-amz-copy-source');
      return source === undefined ? putObject(c, deps, name) : copyObject(c, deps, name, source);
    }
    case 'GET':
      return uploadId !== null ? listParts(c, multipart, name, uploadId) : getObject(c, deps, name, true);
    case 'HEAD':
      return getObject(c, deps, name, false);
    case 'DELETE':
      return uploadId !== null ? abortMultipartUpload(c, multipart, name, uploadId) : deleteObject(c, deps, name);
    case 'POST':
      if (query.has('uploads')) return createMultipartUpload(c, deps, multipart, name);
      if (uploadId !== null) return completeMultipartUpload(c, deps, multipart, name, uploadId, keepAlive);
  }
  throw notImplemented(`${method} on an object`);
}
