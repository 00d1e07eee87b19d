import { MAX_PART_NUMBER, type MultipartService } from '../../service/multipart.ts';
import type { ObjectName } from '../../service/objects.ts';
import type { GatewayDeps } from '../context.ts';
import { S3Failure } from './errors.ts';
import { placementHeaders, quotedEtag, storedEncoding, subjectFromMetadata } from './object-headers.ts';
import { declaredLength, objectBody, requestDocument } from './objects.ts';
import { callOf, queryOf, singleHeader, type S3Context } from './request.ts';
import { childTexts, element, elements, xmlResponse } from './xml.ts';

function partNumberOf(text: string | null): number {
  const number = Number(text);
  if (text === null || !/^\d{1,5}$/.test(text) || number < 1 || number > MAX_PART_NUMBER) {
    throw new S3Failure('InvalidArgument', 400, 'bad_request', `partNumber must be an integer from 1 to ${MAX_PART_NUMBER}`);
  }
  return number;
}

export async function createMultipartUpload(c: S3Context, deps: GatewayDeps, multipart: MultipartService, name: ObjectName): Promise<Response> {
  c.get('trail').action = 'multipart-create';
  const subject = subjectFromMetadata(c, deps);
  const uploadId = await multipart.create(callOf(c), name, {
    contentType: singleHeader(c, deps, 'content-type') ?? '',
    contentEncoding: storedEncoding(singleHeader(c, deps, 'content-encoding')),
    ...(subject !== undefined && { subject }),
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

export async function completeMultipartUpload(
  c: S3Context,
  deps: GatewayDeps,
  multipart: MultipartService,
  name: ObjectName,
  uploadId: string,
): Promise<Response> {
  c.get('trail').action = 'write';
  const parts = childTexts(await requestDocument(c, deps), 'Part', ['PartNumber', 'ETag']);
  if (!parts || parts.some((part) => part.PartNumber === undefined || part.ETag === undefined)) {
    throw new S3Failure('MalformedXML', 400, 'bad_request', 'CompleteMultipartUpload must list each Part with its PartNumber and ETag');
  }
  const placement = await multipart.complete(
    callOf(c),
    name,
    uploadId,
    parts.map((part) => ({ partNumber: partNumberOf(part.PartNumber!), etag: part.ETag! })),
  );
  return xmlResponse(
    'CompleteMultipartUploadResult',
    [
      element('Location', `/${name.dataClass}/${name.key}`),
      element('Bucket', name.dataClass),
      element('Key', name.key),
      element('ETag', quotedEtag(placement.etag)),
    ],
    { headers: placementHeaders(placement) },
  );
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
