import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackages } from './debian.ts';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export interface SoftHsm {
  conf: string;
  dir: string;
  remove(): void;
}

/** Installs SoftHSM2 when it is missing: a test that needs a token never skips. */
function ensureInstalled(): void {
  ensureDebianPackages({ [SOFTHSM_MODULE]: 'softhsm2' });
}

/**
 * A SoftHSM2 token directory of the test's own, one initialised token, and
 * an AES-256 key on it created by a separate process (as an HSM is
 * provisioned apart from the gateway): non-extractable, sensitive, allowed
 * to encrypt and decrypt.
 */
export function softHsmWithKey(token: string, pin: string, keyLabel: string): SoftHsm {
  ensureInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'rp-softhsm-'));
  mkdirSync(join(dir, 'tokens'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', token, '--pin', pin, '--so-pin', pin], { env, stdio: 'pipe' });
  execFileSync(process.execPath, ['--input-type=commonjs', '-e', PROVISION, SOFTHSM_MODULE, token, pin, keyLabel], { env, stdio: 'pipe', cwd: process.cwd() });
  return { conf, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const PROVISION = `
const pkcs11js = require('pkcs11js');
const [module, token, pin, label] = process.argv.slice(1);
const p = new pkcs11js.PKCS11();
p.load(module);
p.C_Initialize();
const slot = p.C_GetSlotList(true).find((s) => p.C_GetTokenInfo(s).label.trim() === token);
const session = p.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
p.C_Login(session, pkcs11js.CKU_USER, pin);
p.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
  { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
  { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
  { type: pkcs11js.CKA_TOKEN, value: true },
  { type: pkcs11js.CKA_LABEL, value: label },
  { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
  { type: pkcs11js.CKA_ENCRYPT, value: true },
  { type: pkcs11js.CKA_DECRYPT, value: true },
  { type: pkcs11js.CKA_SENSITIVE, value: true },
  { type: pkcs11js.CKA_EXTRACTABLE, value: false },
]);
p.C_Logout(session);
p.C_CloseSession(session);
p.C_Finalize();
`;
