import { MAX_PART_NUMBER, type MultipartService } from '../../service/multipart.ts';
import type { ObjectName, Placement } from '../../service/objects.ts';
import type { GatewayDeps } from '../context.ts';
import { withLateOutcome } from './authenticated.ts';
import { S3Failure, s3ErrorDocument } from './errors.ts';
import { placementHeaders, quotedEtag, requestMetadata, storedEncoding } from './object-headers.ts';
import { declaredLength, objectBody, requestDocument } from './objects.ts';
import { callOf, queryOf, singleHeader, type S3Context } from './request.ts';
import { childTexts, element, elements, XML_PROLOG, xmlResponse, xmlRoot } from './xml.ts';

function partNumberOf(text: string | null): number {
  const number = Number(text);
  if (text === null || !/^\d{1,5}$/.test(text) || number < 1 || number > MAX_PART_NUMBER) {
    throw new S3Failure('InvalidArgument', 400, 'bad_request', `partNumber must be an integer from 1 to ${MAX_PART_NUMBER}`);
  }
  return number;
}

export async function createMultipartUpload(c: S3Context, deps: GatewayDeps, multipart: MultipartService, name: ObjectName): Promise<Response> {
  c.get('trail').action = 'multipart-create';
  const { subject, userMetadata } = requestMetadata(c, deps);
  const uploadId = await multipart.create(callOf(c), name, {
    contentType: singleHeader(c, deps, 'content-type') ?? '',
    contentEncoding: storedEncoding(singleHeader(c, deps, 'content-encoding')),
    ...(subject !== undefined && { subject }),
    userMetadata,
  });
  return xmlResponse('InitiateMultipartUploadResult', [element('Bucket', name.dataClass), element('Key', name.key), element('UploadId', uploadId)]);
}

export async function uploadPart(c: S3Context, deps: GatewayDeps, multipart: MultipartService, name: ObjectName, uploadId: string): Promise<Response> {
  c.get('trail').action = 'multipart-part';
  if (singleHeader(c, deps, 'x-amz-copy-source') !== undefined)
    throw new S3Failure('NotImplemented', 501, 'method_not_allowed', 'UploadPartCopy is not implemented by this gateway');
  const max = deps.objects.maxObjectBytes;
  const contentLength = declaredLength(c, deps, max);
  const part = await multipart.uploadPart(callOf(c), name, uploadId, partNumberOf(queryOf(c).get('partNumber')), objectBody(c, deps, max), contentLength);
  c.get('trail').bytes = part.size;
  return new Response(null, { status: 200, headers: { etag: quotedEtag(part.etag) } });
}

/** How long a Complete may run before its answer is kept alive with whitespace, and how often a space is sent then. */
export interface KeepAlive {
  afterMs: number;
  everyMs: number;
}

export async function completeMultipartUpload(
  c: S3Context,
  deps: GatewayDeps,
  multipart: MultipartService,
  name: ObjectName,
  uploadId: string,
  keepAlive: KeepAlive,
): Promise<Response> {
  c.get('trail').action = 'write';
  const parts = childTexts(await requestDocument(c, deps), 'Part', ['PartNumber', 'ETag']);
  if (!parts || parts.some((part) => part.PartNumber === undefined || part.ETag === undefined)) {
    throw new S3Failure('MalformedXML', 400, 'bad_request', 'CompleteMultipartUpload must list each Part with its PartNumber and ETag');
  }
  const completing = multipart.complete(
    callOf(c),
    name,
    uploadId,
    parts.map((part) => ({ partNumber: partNumberOf(part.PartNumber!), etag: part.ETag! })),
  );
  if (await settlesWithin(completing, keepAlive.afterMs)) {
    const placement = await completing;
    return xmlResponse('CompleteMultipartUploadResult', completeResult(name, placement), { headers: placementHeaders(placement) });
  }
  return withLateOutcome(keptAlive(completing, name, keepAlive.everyMs, c.get('requestId'), new URL(c.req.url).pathname), completing);
}

function completeResult(name: ObjectName, placement: Placement): string[] {
  return [
    element('Location', `/${name.dataClass}/${name.key}`),
    element('Bucket', name.dataClass),
    element('Key', name.key),
    element('ETag', quotedEtag(placement.etag)),
  ];
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return settled;
}

/**
 * What S3 does for a long Complete: answer 200 at once, send a space now and
 * then so that the client's read timeout does not fire (and retry a Complete
 * that is still running), then the result, or an error document that the
 * SDKs read as the operation's error.
 */
function keptAlive(completing: Promise<Placement>, name: ObjectName, everyMs: number, requestId: string, resource: string): Response {
  const encoder = new TextEncoder();
  let timer: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          // The client went away; the Complete still runs to its end and is audited.
        }
      };
      send(XML_PROLOG);
      timer = setInterval(() => send(' '), everyMs);
      void completing
        .then(
          (placement) => xmlRoot('CompleteMultipartUploadResult', completeResult(name, placement)),
          (error: unknown) => s3ErrorDocument(error, requestId, resource),
        )
        .then((document) => {
          clearInterval(timer);
          send(document);
          try {
            controller.close();
          } catch {
            // Already cancelled by the client.
          }
        });
    },
    cancel() {
      clearInterval(timer);
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'application/xml' } });
}

export async function abortMultipartUpload(c: S3Context, multipart: MultipartService, name: ObjectName, uploadId: string): Promise<Response> {
  c.get('trail').action = 'multipart-abort';
  await multipart.abort(callOf(c), name, uploadId);
  return new Response(null, { status: 204 });
}

export async function listParts(c: S3Context, multipart: MultipartService, name: ObjectName, uploadId: string): Promise<Response> {
  c.get('trail').action = 'multipart-list-parts';
  const parts = await multipart.listParts(callOf(c), name, uploadId);
  return xmlResponse('ListPartsResult', [
    element('Bucket', name.dataClass),
    element('Key', name.key),
    element('UploadId', uploadId),
    element('IsTruncated', false),
    ...parts.map((part) =>
      elements('Part', [
        element('PartNumber', part.partNumber),
        element('LastModified', new Date(part.lastModified).toISOString()),
        element('ETag', quotedEtag(part.etag)),
        element('Size', part.size),
      ]),
    ),
  ]);
}

export async function listMultipartUploads(c: S3Context, multipart: MultipartService, bucket: string): Promise<Response> {
  c.get('trail').action = 'multipart-list-uploads';
  const prefix = queryOf(c).get('prefix') ?? '';
  const uploads = (await multipart.listUploads(callOf(c), bucket)).filter((upload) => upload.key.startsWith(prefix));
  return xmlResponse('ListMultipartUploadsResult', [
    element('Bucket', bucket),
    element('Prefix', prefix),
    element('IsTruncated', false),
    ...uploads.map((upload) =>
      elements('Upload', [
        element('Key', upload.key),
        element('UploadId', upload.uploadId),
        element('Initiated', upload.initiated),
        element('StorageClass', 'STANDARD'),
      ]),
    ),
  ]);
}
