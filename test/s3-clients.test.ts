import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureClients, runClient, s3cmdArguments, type ClientRun } from './helpers/s3-clients.ts';
import { startS3Gateway, type S3Credentials, type S3TestGateway } from './helpers/s3-gateway.ts';

const MiB = 1024 * 1024;
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const SMALL = 'residency proxy through a real S3 client\n';

let gateway: S3TestGateway;
let dir: string;
let bigDigest: string;

function ok(result: ClientRun, what: string): string {
  assert.equal(result.code, 0, `${what} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Keys the account has under a data class, read from the stores themselves. */
async function storedUnder(dataClass: string, keyPrefix: string): Promise<string[]> {
  return (await gateway.storedKeys()).filter((key) => key.includes(`objects/${dataClass}/acme/${keyPrefix}`));
}

async function assertRefusedPngLeftNothing(result: ClientRun, keysBefore: string[]): Promise<void> {
  assert.notEqual(result.code, 0, 'the PNG upload must fail');
  assert.deepEqual(await gateway.storedKeys(), keysBefore, 'a refused PNG leaves nothing in any store');
  assert.equal(gateway.audit.findLast((event) => event.code === 'media_refused')?.frontDoor, 's3');
}

before(async () => {
  ensureClients();
  // Every multipart Complete answers 200 at once and then its result, as S3 does for a long one: each client must read it.
  gateway = await startS3Gateway({ fs: true, maxObjectBytes: 80 * MiB, completeKeepAlive: { afterMs: 0, everyMs: 1000 } });
  dir = await mkdtemp(join(tmpdir(), 'rp-s3-clients-'));
  const big = Buffer.alloc(64 * MiB);
  for (let i = 0; i < big.length; i += 1000) big.write(`${i}\n`, i);
  bigDigest = createHash('sha256').update(big).digest('hex');
  await writeFile(join(dir, 'big.log'), big);
  await writeFile(join(dir, 'small.txt'), SMALL);
  await writeFile(join(dir, 'shot.txt'), PNG);
});

after(async () => {
  await gateway?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function sameAsBig(path: string): Promise<void> {
  assert.equal(
    createHash('sha256')
      .update(await readFile(path))
      .digest('hex'),
    bigDigest,
  );
}

describe('the aws CLI', () => {
  let env: Record<string, string>;
  const aws = (args: string[]) =>
    runClient('/usr/bin/aws', [...args, '--endpoint-url', gateway.s3Url, '--region', 'eu-west-1', '--output', 'json', '--cli-read-timeout', '600'], env, dir);

  before(async () => {
    env = {};
    const sts = JSON.parse(
      ok(
        await aws([
          'sts',
          'assume-role-with-web-identity',
          '--role-arn',
          'arn:aws:iam::000000000000:role/residency-proxy',
          '--role-session-name',
          'cli',
          '--web-identity-token',
          await gateway.token(),
        ]),
        'assume-role-with-web-identity',
      ),
    ) as { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } };
    env = {
      AWS_ACCESS_KEY_ID: sts.Credentials.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: sts.Credentials.SecretAccessKey,
      AWS_SESSION_TOKEN: sts.Credentials.SessionToken,
    };
  });

  it('put, get, range get, head, list with prefix and delimiter, delete', async () => {
    ok(
      await aws([
        's3api',
        'put-object',
        '--bucket',
        'chat-transcript',
        '--key',
        'cli/a b+c.txt',
        '--body',
        join(dir, 'small.txt'),
        '--content-type',
        'text/plain',
      ]),
      'put-object',
    );
    ok(await aws(['s3', 'cp', join(dir, 'small.txt'), 's3://chat-transcript/cli/sub/b.txt']), 's3 cp');
    ok(await aws(['s3', 'cp', 's3://chat-transcript/cli/a b+c.txt', join(dir, 'cli-get.txt')]), 's3 cp down');
    assert.equal(await readFile(join(dir, 'cli-get.txt'), 'utf8'), SMALL);
    ok(
      await aws(['s3api', 'get-object', '--bucket', 'chat-transcript', '--key', 'cli/a b+c.txt', '--range', 'bytes=0-8', join(dir, 'cli-range.txt')]),
      'range get',
    );
    assert.equal(await readFile(join(dir, 'cli-range.txt'), 'utf8'), 'residency');
    const head = JSON.parse(ok(await aws(['s3api', 'head-object', '--bucket', 'chat-transcript', '--key', 'cli/a b+c.txt']), 'head-object')) as {
      ContentLength: number;
      ETag: string;
    };
    assert.equal(head.ContentLength, SMALL.length);
    assert.equal(head.ETag, `"${createHash('md5').update(SMALL).digest('hex')}"`);
    const listed = JSON.parse(ok(await aws(['s3api', 'list-objects-v2', '--bucket', 'chat-transcript', '--prefix', 'cli/', '--delimiter', '/']), 'list')) as {
      Contents: Array<{ Key: string }>;
      CommonPrefixes: Array<{ Prefix: string }>;
    };
    assert.deepEqual(
      listed.Contents.map((item) => item.Key),
      ['cli/a b+c.txt'],
    );
    assert.deepEqual(
      listed.CommonPrefixes.map((item) => item.Prefix),
      ['cli/sub/'],
    );
    const ls = ok(await aws(['s3', 'ls', 's3://chat-transcript/cli/']), 's3 ls');
    assert.match(ls, /PRE sub\//);
    ok(await aws(['s3', 'rm', '--recursive', 's3://chat-transcript/cli/']), 's3 rm');
    assert.deepEqual(await storedUnder('chat-transcript', 'cli/'), []);
  });

  it('multipart upload of 64 MiB with aws s3 cp', async () => {
    ok(await aws(['s3', 'cp', join(dir, 'big.log'), 's3://cobrowse-session/cli/big.log']), 'multipart cp');
    ok(await aws(['s3', 'cp', 's3://cobrowse-session/cli/big.log', join(dir, 'cli-big.log')]), 'big get');
    await sameAsBig(join(dir, 'cli-big.log'));
    ok(await aws(['s3', 'rm', 's3://cobrowse-session/cli/big.log']), 'big rm');
  });

  it('a refused PNG through aws s3 cp leaves nothing in any store', async () => {
    const keysBefore = await gateway.storedKeys();
    const result = await aws(['s3', 'cp', join(dir, 'shot.txt'), 's3://chat-transcript/cli/shot.txt']);
    assert.match(result.stderr, /MediaRefused/);
    await assertRefusedPngLeftNothing(result, keysBefore);
  });
});

describe('boto3', () => {
  const script = `
import json, sys, boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
endpoint, token, folder = sys.argv[1], sys.argv[2], sys.argv[3]
sts = boto3.client('sts', endpoint_url=endpoint, region_name='us-east-1', aws_access_key_id='unused', aws_secret_access_key='unused')
creds = sts.assume_role_with_web_identity(RoleArn='arn:aws:iam::000000000000:role/residency-proxy', RoleSessionName='boto3', WebIdentityToken=token)['Credentials']
s3 = boto3.client('s3', endpoint_url=endpoint, region_name='us-east-1', aws_access_key_id=creds['AccessKeyId'],
                  aws_secret_access_key=creds['SecretAccessKey'], aws_session_token=creds['SessionToken'], config=Config(s3={'addressing_style': 'path'}, read_timeout=600))
out = {}
s3.put_object(Bucket='chat-transcript', Key='boto/x.txt', Body=open(folder + '/small.txt', 'rb').read(), ContentType='text/plain')
s3.put_object(Bucket='chat-transcript', Key='boto/deeper/y.txt', Body=b'{}')
out['get'] = s3.get_object(Bucket='chat-transcript', Key='boto/x.txt')['Body'].read().decode()
out['range'] = s3.get_object(Bucket='chat-transcript', Key='boto/x.txt', Range='bytes=10-14')['Body'].read().decode()
out['head'] = s3.head_object(Bucket='chat-transcript', Key='boto/x.txt')['ContentLength']
listed = s3.list_objects_v2(Bucket='chat-transcript', Prefix='boto/', Delimiter='/')
out['keys'] = [o['Key'] for o in listed.get('Contents', [])]
out['prefixes'] = [p['Prefix'] for p in listed.get('CommonPrefixes', [])]
s3.upload_file(folder + '/big.log', 'cobrowse-session', 'boto/big.log', Config=TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024))
s3.download_file('cobrowse-session', 'boto/big.log', folder + '/boto-big.log')
try:
    s3.put_object(Bucket='chat-transcript', Key='boto/shot.txt', Body=open(folder + '/shot.txt', 'rb').read())
    out['png'] = 'stored'
except s3.exceptions.ClientError as error:
    out['png'] = error.response['Error']['Code']
for key in ['boto/x.txt', 'boto/deeper/y.txt']:
    s3.delete_object(Bucket='chat-transcript', Key=key)
s3.delete_object(Bucket='cobrowse-session', Key='boto/big.log')
out['after'] = s3.list_objects_v2(Bucket='chat-transcript', Prefix='boto/').get('KeyCount')
print(json.dumps(out))
`;

  it('put, get, range get, head, list with prefix and delimiter, 64 MiB multipart, refused PNG, delete', async () => {
    await writeFile(join(dir, 'boto.py'), script);
    const keysBefore = await gateway.storedKeys();
    const out = JSON.parse(
      ok(await runClient('/usr/bin/python3', [join(dir, 'boto.py'), gateway.s3Url, await gateway.token(), dir], {}, dir), 'boto3'),
    ) as Record<string, unknown>;
    assert.equal(out.get, SMALL);
    assert.equal(out.range, 'proxy');
    assert.equal(out.head, SMALL.length);
    assert.deepEqual(out.keys, ['boto/x.txt']);
    assert.deepEqual(out.prefixes, ['boto/deeper/']);
    assert.equal(out.png, 'MediaRefused');
    assert.equal(out.after, 0);
    await sameAsBig(join(dir, 'boto-big.log'));
    assert.deepEqual(await gateway.storedKeys(), keysBefore);
  });
});

describe('rclone', () => {
  let env: Record<string, string>;
  const rclone = (args: string[]) => runClient('/usr/bin/rclone', [...args, '--config', join(dir, 'no-rclone.conf')], env, dir);

  before(async () => {
    const credentials: S3Credentials = await gateway.credentials();
    env = {
      RCLONE_CONFIG_GW_TYPE: 's3',
      RCLONE_CONFIG_GW_PROVIDER: 'Other',
      RCLONE_CONFIG_GW_ENV_AUTH: 'false',
      RCLONE_CONFIG_GW_ACCESS_KEY_ID: credentials.accessKeyId,
      RCLONE_CONFIG_GW_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      RCLONE_CONFIG_GW_SESSION_TOKEN: credentials.sessionToken,
      RCLONE_CONFIG_GW_ENDPOINT: gateway.s3Url,
      RCLONE_CONFIG_GW_REGION: 'us-east-1',
      RCLONE_CONFIG_GW_FORCE_PATH_STYLE: 'true',
    };
  });

  it('put, get, range get, head, list with prefix and delimiter, delete', async () => {
    ok(await rclone(['copyto', join(dir, 'small.txt'), 'gw:chat-transcript/rc/a.txt']), 'copyto');
    ok(await rclone(['copyto', join(dir, 'small.txt'), 'gw:chat-transcript/rc/sub/b.txt']), 'copyto sub');
    assert.equal(ok(await rclone(['cat', 'gw:chat-transcript/rc/a.txt']), 'cat'), SMALL);
    assert.equal(ok(await rclone(['cat', '--offset', '10', '--count', '5', 'gw:chat-transcript/rc/a.txt']), 'range cat'), 'proxy');
    const stat = JSON.parse(ok(await rclone(['lsjson', '--stat', 'gw:chat-transcript/rc/a.txt']), 'stat')) as { Size: number };
    assert.equal(stat.Size, SMALL.length);
    const listed = JSON.parse(ok(await rclone(['lsjson', 'gw:chat-transcript/rc']), 'lsjson')) as Array<{ Path: string; IsDir: boolean }>;
    assert.deepEqual(listed.map((entry) => `${entry.Path}${entry.IsDir ? '/' : ''}`).sort(), ['a.txt', 'sub/']);
    ok(await rclone(['deletefile', 'gw:chat-transcript/rc/a.txt']), 'deletefile');
    ok(await rclone(['deletefile', 'gw:chat-transcript/rc/sub/b.txt']), 'deletefile sub');
    assert.deepEqual(await storedUnder('chat-transcript', 'rc/'), []);
  });

  it('multipart upload of 64 MiB', async () => {
    ok(
      await rclone(['copyto', '--s3-upload-cutoff', '8M', '--s3-chunk-size', '8M', join(dir, 'big.log'), 'gw:cobrowse-session/rc/big.log']),
      'multipart copyto',
    );
    ok(await rclone(['copyto', 'gw:cobrowse-session/rc/big.log', join(dir, 'rc-big.log')]), 'big get');
    await sameAsBig(join(dir, 'rc-big.log'));
    ok(await rclone(['deletefile', 'gw:cobrowse-session/rc/big.log']), 'big delete');
  });

  it('a refused PNG leaves nothing', async () => {
    const keysBefore = await gateway.storedKeys();
    await assertRefusedPngLeftNothing(
      await rclone(['copyto', '--retries', '1', '--low-level-retries', '1', join(dir, 'shot.txt'), 'gw:chat-transcript/rc/shot.txt']),
      keysBefore,
    );
  });
});

describe('s3cmd', () => {
  let args: string[];
  const s3cmd = (more: string[]) => runClient('/usr/bin/s3cmd', [...args, ...more], {}, dir);

  before(async () => {
    args = await s3cmdArguments(dir, gateway.s3Url, await gateway.credentials());
  });

  it('put, get, range get (--continue), info, ls with prefix, delete', async () => {
    ok(await s3cmd(['put', join(dir, 'small.txt'), 's3://chat-transcript/cmd/a.txt']), 'put');
    ok(await s3cmd(['put', join(dir, 'small.txt'), 's3://chat-transcript/cmd/sub/b.txt']), 'put sub');
    ok(await s3cmd(['get', '--force', 's3://chat-transcript/cmd/a.txt', join(dir, 'cmd-a.txt')]), 'get');
    assert.equal(await readFile(join(dir, 'cmd-a.txt'), 'utf8'), SMALL);
    // --continue asks for the rest of a partial file: a range GET.
    await writeFile(join(dir, 'cmd-partial.txt'), SMALL.slice(0, 10));
    ok(await s3cmd(['get', '--continue', 's3://chat-transcript/cmd/a.txt', join(dir, 'cmd-partial.txt')]), 'range get');
    assert.equal(await readFile(join(dir, 'cmd-partial.txt'), 'utf8'), SMALL);
    assert.match(ok(await s3cmd(['info', 's3://chat-transcript/cmd/a.txt']), 'info'), new RegExp(createHash('md5').update(SMALL).digest('hex')));
    const ls = ok(await s3cmd(['ls', 's3://chat-transcript/cmd/']), 'ls');
    assert.match(ls, /DIR\s+s3:\/\/chat-transcript\/cmd\/sub\//);
    assert.match(ls, /s3:\/\/chat-transcript\/cmd\/a\.txt/);
    ok(await s3cmd(['del', 's3://chat-transcript/cmd/a.txt', 's3://chat-transcript/cmd/sub/b.txt']), 'del');
    assert.deepEqual(await storedUnder('chat-transcript', 'cmd/'), []);
  });

  it('multipart upload of 64 MiB', async () => {
    ok(await s3cmd(['put', '--multipart-chunk-size-mb=8', join(dir, 'big.log'), 's3://cobrowse-session/cmd/big.log']), 'multipart put');
    ok(await s3cmd(['get', '--force', 's3://cobrowse-session/cmd/big.log', join(dir, 'cmd-big.log')]), 'big get');
    await sameAsBig(join(dir, 'cmd-big.log'));
    ok(await s3cmd(['del', 's3://cobrowse-session/cmd/big.log']), 'big del');
  });

  it('a refused PNG leaves nothing', async () => {
    const keysBefore = await gateway.storedKeys();
    await assertRefusedPngLeftNothing(await s3cmd(['put', join(dir, 'shot.txt'), 's3://chat-transcript/cmd/shot.txt']), keysBefore);
  });
});
