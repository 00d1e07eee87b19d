import type { Context } from 'hono';
import type { SessionAuthority } from '../../auth/session/credentials.ts';
import { resolveZone } from '../../policy/decide.ts';
import type { Principal } from '../../policy/principal.ts';
import { Refusal, valueOrThrow } from '../../policy/refusal.ts';
import { readSmallBody } from '../../service/body.ts';
import { toRefusal } from '../../service/to-refusal.ts';
import type { GatewayDeps, GatewayEnv } from '../context.ts';
import { element, elements, xmlResponse } from './xml.ts';

const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const MAX_FORM_BYTES = 16 * 1024;
const DEFAULT_DURATION_SECONDS = 3600;
const MIN_DURATION_SECONDS = 900;
const MAX_DURATION_SECONDS = 43_200;

/** An STS error: AWS STS's codes, so the SDKs' credential providers report them as they would AWS's. */
class StsFailure extends Error {
  constructor(
    readonly stsCode: string,
    readonly status: number,
    readonly refusal: Refusal,
  ) {
    super(refusal.detail);
  }
}

function stsFailureOf(error: unknown): StsFailure {
  if (error instanceof StsFailure) return error;
  const refusal = toRefusal(error);
  switch (refusal.code) {
    case 'token_expired':
      return new StsFailure('ExpiredTokenException', 400, refusal);
    case 'region_unknown':
      return new StsFailure('AccessDenied', 403, refusal);
    case 'token_missing':
    case 'token_invalid':
    case 'account_missing':
    case 'region_missing':
      return new StsFailure('InvalidIdentityToken', 400, refusal);
    case 'bad_request':
    case 'payload_too_large':
      return new StsFailure('ValidationError', 400, refusal);
    default:
      return new StsFailure(refusal.status >= 500 ? 'ServiceUnavailable' : 'InvalidIdentityToken', refusal.status >= 500 ? 503 : 400, refusal);
  }
}

async function stsParameters(c: Context<GatewayEnv>): Promise<URLSearchParams> {
  const parameters = new URLSearchParams(new URL(c.req.url).search);
  if (c.req.method === 'POST') {
    const body = new TextDecoder().decode(await readSmallBody(c.req.raw.body, MAX_FORM_BYTES));
    for (const [name, value] of new URLSearchParams(body)) parameters.append(name, value);
  }
  return parameters;
}

function onlyParameter(parameters: URLSearchParams, name: string): string | undefined {
  const values = parameters.getAll(name);
  if (values.length > 1) throw new Refusal('bad_request', `${name} appears more than once`);
  return values[0];
}

function durationOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_DURATION_SECONDS;
  const seconds = Number(text);
  if (!/^\d{1,6}$/.test(text) || seconds < MIN_DURATION_SECONDS || seconds > MAX_DURATION_SECONDS) {
    throw new Refusal('bad_request', `DurationSeconds must be ${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS}`);
  }
  return seconds;
}

/** Whether a request to `/` is an STS call rather than an S3 one. */
export function isStsRequest(c: Context<GatewayEnv>): boolean {
  return c.req.method === 'POST' || new URL(c.req.url).searchParams.has('Action');
}

/**
 * STS `AssumeRoleWithWebIdentity`: the JWT passes every check of the `/v1`
 * API and is traded for session credentials that never outlive it. The
 * caller's region must belong to a zone, as every later request would need.
 */
export async function assumeRoleWithWebIdentity(c: Context<GatewayEnv>, deps: GatewayDeps, sessions: SessionAuthority): Promise<Response> {
  const trail = { action: 'assume-role' };
  let principal: Principal | undefined;
  try {
    const parameters = await stsParameters(c);
    const action = onlyParameter(parameters, 'Action');
    if (action !== 'AssumeRoleWithWebIdentity')
      throw new StsFailure(
        'InvalidAction',
        400,
        new Refusal('bad_request', `the STS action ${action ?? '(none)'} is not offered; only AssumeRoleWithWebIdentity`),
      );
    const version = onlyParameter(parameters, 'Version');
    if (version !== undefined && version !== '2011-06-15') throw new Refusal('bad_request', 'Version must be 2011-06-15');
    const duration = durationOf(onlyParameter(parameters, 'DurationSeconds'));
    const token = onlyParameter(parameters, 'WebIdentityToken');
    if (token === undefined || token === '') throw new Refusal('token_missing', 'WebIdentityToken is required');
    principal = await deps.authenticator.authenticate([`Bearer ${token}`]);
    // A token whose region is in no zone gets no credentials: it could do nothing with them.
    valueOrThrow(resolveZone(deps.policy, principal.region));
    const credentials = await sessions.issue(principal, duration);
    const sessionName = onlyParameter(parameters, 'RoleSessionName') ?? 'session';
    await deps.record({ requestId: c.get('requestId'), frontDoor: 's3', startedAt: c.get('startedAt'), principal, trail });
    return xmlResponse(
      'AssumeRoleWithWebIdentityResponse',
      [
        elements('AssumeRoleWithWebIdentityResult', [
          ...(principal.subject !== undefined ? [element('SubjectFromWebIdentityToken', principal.subject)] : []),
          element('Audience', deps.policy.document.auth.audience),
          elements('AssumedRoleUser', [
            element('Arn', `arn:aws:sts::000000000000:assumed-role/residency-proxy/${sessionName}`),
            element('AssumedRoleId', `${credentials.accessKeyId}:${sessionName}`),
          ]),
          elements('Credentials', [
            element('AccessKeyId', credentials.accessKeyId),
            element('SecretAccessKey', credentials.secretAccessKey),
            element('SessionToken', credentials.sessionToken),
            element('Expiration', new Date(credentials.expiration * 1000).toISOString()),
          ]),
          element('Provider', deps.policy.document.auth.issuer),
        ]),
        elements('ResponseMetadata', [element('RequestId', c.get('requestId'))]),
      ],
      { namespace: STS_NAMESPACE },
    );
  } catch (error) {
    const failure = stsFailureOf(error);
    await deps.record({ requestId: c.get('requestId'), frontDoor: 's3', startedAt: c.get('startedAt'), principal, trail, refusal: failure.refusal });
    return xmlResponse(
      'ErrorResponse',
      [
        elements('Error', [
          element('Type', failure.status >= 500 ? 'Receiver' : 'Sender'),
          element('Code', failure.stsCode),
          element('Message', failure.refusal.detail),
        ]),
        element('RequestId', c.get('requestId')),
      ],
      { status: failure.status, namespace: STS_NAMESPACE, headers: { 'x-residency-code': failure.refusal.code } },
    );
  }
}
