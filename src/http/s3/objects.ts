import { declaredObjectLength, isChunkedPayload, verifiedPayload } from '../../auth/sigv4/payload.ts';
import { isRefusal, Refusal } from '../../policy/refusal.ts';
import { limitBytes, readSmallBody } from '../../service/body.ts';
import type { ObjectName, Placement } from '../../service/objects.ts';
import type { GatewayDeps } from '../context.ts';
import { verifiedOf } from './authenticated.ts';
import { S3Failure, s3ErrorOf } from './errors.ts';
import { objectHeaders, placementHeaders, quotedEtag, requestMetadata, storedEncoding } from './object-headers.ts';
import { evaluatePreconditions, requestedRange, sliceBody } from '../preconditions.ts';
import { callOf, queryOf, signableRequest, singleHeader, type S3Context } from './request.ts';
import { childTexts, element, elements, firstText, xmlResponse } from './xml.ts';

const MAX_DELETE_KEYS = 1000;
const MAX_REQUEST_DOCUMENT_BYTES = 1024 * 1024;

/** The object bytes of a signed request: framing removed, signatures and digests verified, the size limit applied. */
export function objectBody(c: S3Context, deps: GatewayDeps, maxBytes: number): ReadableStream<Uint8Array> {
  const verified = verifiedOf(c);
  const request = signableRequest(c, deps);
  // aws-chunked framing adds bytes beyond the object's; the limit applies to the decoded object.
  const raw = deps.runtime.requestBody(c, isChunkedPayload(verified) ? Number.MAX_SAFE_INTEGER : maxBytes);
  return verifiedPayload(raw, request, verified).pipeThrough(limitBytes(maxBytes));
}

export function declaredLength(c: S3Context, deps: GatewayDeps, maxBytes: number): number | undefined {
  const length = declaredObjectLength(signableRequest(c, deps), verifiedOf(c));
  if (length !== undefined && length > maxBytes) throw new Refusal('payload_too_large', `the object is ${length} bytes, over the limit of ${maxBytes}`);
  return length;
}

export async function putObject(c: S3Context, deps: GatewayDeps, name: ObjectName): Promise<Response> {
  c.get('trail').action = 'write';
  const max = deps.objects.maxObjectBytes;
  const placement = await deps.objects.write(callOf(c), name, () => {
    const { subject, userMetadata } = requestMetadata(c, deps);
    const contentLength = declaredLength(c, deps, max);
    return {
      contentType: singleHeader(c, deps, 'content-type') ?? '',
      contentEncoding: storedEncoding(singleHeader(c, deps, 'content-encoding')),
      ...(contentLength !== undefined && { contentLength }),
      ...(subject !== undefined && { subject }),
      userMetadata,
      body: objectBody(c, deps, max),
    };
  });
  return new Response(null, { status: 200, headers: { etag: quotedEtag(placement.etag), ...placementHeaders(placement) } });
}

const RESPONSE_OVERRIDES = ['content-type', 'content-language', 'expires', 'cache-control', 'content-disposition', 'content-encoding'] as const;

export async function getObject(c: S3Context, deps: GatewayDeps, name: ObjectName, withBody: boolean): Promise<Response> {
  c.get('trail').action = withBody ? 'read' : 'head';
  const call = callOf(c);
  const { info, placement, body } = withBody ? await deps.objects.read(call, name) : { ...(await deps.objects.head(call, name)), body: undefined };
  const headers = objectHeaders(info, placement);
  const validators = { etag: info.etag, lastModified: info.lastModified };
  const condition = evaluatePreconditions(c.req.raw.headers, validators);
  const range = condition === 'proceed' ? requestedRange(c.req.raw.headers, validators, info.size) : undefined;
  if (condition !== 'proceed' || range === 'unsatisfiable') {
    await body?.cancel();
    if (condition === 'failed') throw new Refusal('precondition_failed', `the object's ETag is "${info.etag}"`);
    if (range === 'unsatisfiable') throw new Refusal('range_not_satisfiable', `the object has ${info.size} bytes`);
    return new Response(null, { status: 304, headers: { etag: headers.etag!, 'last-modified': headers['last-modified']! } });
  }
  const query = queryOf(c);
  for (const header of RESPONSE_OVERRIDES) {
    const override = query.get(`response-${header}`);
    if (override !== null) headers[header] = override;
  }
  if (range === undefined) return new Response(body ?? null, { status: 200, headers });
  headers['content-length'] = String(range.end - range.start + 1);
  headers['content-range'] = `bytes ${range.start}-${range.end}/${info.size}`;
  return new Response(body ? sliceBody(body, range) : null, { status: 206, headers });
}

export async function deleteObject(c: S3Context, deps: GatewayDeps, name: ObjectName): Promise<Response> {
  c.get('trail').action = 'delete';
  try {
    const placement = await deps.objects.delete(callOf(c), name);
    return new Response(null, { status: 204, headers: placementHeaders(placement) });
  } catch (error) {
    // S3 answers 204 for a key that is not there.
    if (isRefusal(error) && error.code === 'not_found') return new Response(null, { status: 204 });
    throw error;
  }
}

export async function deleteObjects(c: S3Context, deps: GatewayDeps, bucket: string): Promise<Response> {
  c.get('trail').action = 'delete';
  const document = await requestDocument(c, deps);
  const objects = childTexts(document, 'Object', ['Key']);
  if (!objects || objects.length === 0 || objects.length > MAX_DELETE_KEYS || objects.some((object) => object.Key === undefined)) {
    throw new S3Failure('MalformedXML', 400, 'bad_request', `the Delete document must name 1 to ${MAX_DELETE_KEYS} objects, each with a Key`);
  }
  const quiet = firstText(document, 'Quiet') === 'true';
  const results: string[] = [];
  for (const { Key: key } of objects as Array<{ Key: string }>) {
    try {
      await deps.objects.delete(callOf(c), { dataClass: bucket, key });
      if (!quiet) results.push(elements('Deleted', [element('Key', key)]));
    } catch (error) {
      if (isRefusal(error) && error.code === 'not_found') {
        if (!quiet) results.push(elements('Deleted', [element('Key', key)]));
        continue;
      }
      const { code, refusal } = s3ErrorOf(error);
      results.push(elements('Error', [element('Key', key), element('Code', code), element('Message', refusal.detail)]));
    }
  }
  return xmlResponse('DeleteResult', results);
}

/** `x-amz-copy-source`: `bucket/key` or `/bucket/key`, percent-encoded. */
function copySource(header: string): ObjectName {
  const [path, query] = header.split('?', 2) as [string, string | undefined];
  if (query !== undefined && query !== 'versionId=null')
    throw new S3Failure('NotImplemented', 501, 'method_not_allowed', 'copying a version of an object is not implemented: objects have no versions');
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.replace(/^\//, ''));
  } catch {
    throw new S3Failure('InvalidArgument', 400, 'key_invalid', 'x-amz-copy-source is not valid percent-encoded UTF-8');
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw new S3Failure('InvalidArgument', 400, 'key_invalid', 'x-amz-copy-source must be bucket/key');
  return { dataClass: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

/** CopyObject within the caller's account and zone: the copy is written (and inspected) like any other write. */
export async function copyObject(c: S3Context, deps: GatewayDeps, name: ObjectName, sourceHeader: string): Promise<Response> {
  c.get('trail').action = 'copy';
  const replace = (singleHeader(c, deps, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase() === 'REPLACE';
  const source = await deps.objects.read(callOf(c), copySource(sourceHeader));
  let placement: Placement;
  try {
    placement = await deps.objects.write(callOf(c), name, () => {
      const sourceMetadata = source.info.metadata;
      // COPY keeps the source's user metadata and subject, REPLACE takes the request's.
      const { subject, userMetadata } = replace ? requestMetadata(c, deps) : { subject: undefined, userMetadata: sourceMetadata.userMetadata };
      return {
        body: source.body,
        contentType: replace ? (singleHeader(c, deps, 'content-type') ?? '') : sourceMetadata.contentType,
        contentEncoding: replace ? storedEncoding(singleHeader(c, deps, 'content-encoding')) : (sourceMetadata.contentEncoding ?? ''),
        contentLength: source.info.size,
        ...(subject !== undefined ? { subject } : !replace && sourceMetadata.subject !== undefined && { subjectHash: sourceMetadata.subject }),
        ...(userMetadata !== undefined && { userMetadata }),
      };
    });
  } catch (error) {
    // A write refused before it read the source leaves the source's stream open.
    await source.body.cancel().catch(() => {});
    throw error;
  }
  return xmlResponse('CopyObjectResult', [element('LastModified', new Date(deps.now()).toISOString()), element('ETag', quotedEtag(placement.etag))], {
    headers: placementHeaders(placement),
  });
}

/** Reads the small XML document of a request (CompleteMultipartUpload), verified like any signed body. */
export async function requestDocument(c: S3Context, deps: GatewayDeps): Promise<string> {
  return new TextDecoder().decode(await readSmallBody(objectBody(c, deps, MAX_REQUEST_DOCUMENT_BYTES), MAX_REQUEST_DOCUMENT_BYTES));
}
