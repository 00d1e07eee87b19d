import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Installs the Debian packages a test needs when a file they provide is
 * missing (as root, through apt-get), so that such a test never skips: on a
 * machine where it cannot install them it fails and says what to install.
 * `.ci/run` installs the same packages first.
 */
export function ensureDebianPackages(packages: Readonly<Record<string, string>>): void {
  const missing = [...new Set(Object.entries(packages).flatMap(([path, name]) => (existsSync(path) ? [] : [name])))];
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`install them first: apt-get install -y ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['install', '-y', ...missing], { stdio: 'ignore', env });
  } catch {
    // A fresh machine may not have read the package lists yet.
    execFileSync('apt-get', ['update'], { stdio: 'ignore', env });
    execFileSync('apt-get', ['install', '-y', ...missing], { stdio: 'ignore', env });
  }
  const still = Object.keys(packages).filter((path) => !existsSync(path));
  if (still.length > 0) throw new Error(`installed ${missing.join(' ')}, but ${still.join(', ')} is missing`);
}
