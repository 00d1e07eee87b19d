import type { SessionCredentials } from './sigv4-sign.ts';

/** The region S3 clients sign with; the gateway takes the zone from the token, never from this. */
export const SIGNING_REGION = 'eu-west-2';

/** Trades a token for temporary credentials at the gateway's STS (AssumeRoleWithWebIdentity), as an S3 client's web-identity provider does. */
export async function sessionCredentials(s3Url: string, token: string): Promise<SessionCredentials> {
  const form = new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', WebIdentityToken: token, RoleSessionName: 'bench' });
  const response = await fetch(`${s3Url}/`, { method: 'POST', body: form });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`STS answered ${response.status}: ${text}`);
  const field = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text)?.[1] ?? '';
  return { accessKeyId: field('AccessKeyId'), secretAccessKey: field('SecretAccessKey'), sessionToken: field('SessionToken') };
}
