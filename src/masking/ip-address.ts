import { patternDetector, placeholder, type Detector } from './detector.ts';

/**
 * IPv4 addresses (four decimal octets of at most 255, not part of a longer
 * dotted run such as a version string) and IPv6 addresses (eight groups, or
 * fewer with one `::`, optionally ending in an IPv4 address). Both become
 * `[ip-address]`.
 */
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\w.])(?:${OCTET}\\.){3}${OCTET}(?!\\w|\\.\\d)`);
// An IPv6 address has a colon within its first five characters; the lookahead rejects plain words at once.
const IPV6_CANDIDATE = /(?<![\w:.])(?=[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:.]{2,45}(?![\w:]|\.\w)/;

export function ipAddressDetectors(): Detector[] {
  const replacement = placeholder('ip-address');
  return [
    patternDetector('ip-address', 15, IPV4, (_text, _start, end) => ({ end, replacement }), /\./),
    patternDetector(
      'ip-address',
      45,
      IPV6_CANDIDATE,
      (text, start, end) => {
        const last = text[end - 1] === '.' ? end - 1 : end; // a full stop after the address
        return isIpv6(text.slice(start, last)) ? { end: last, replacement } : null;
      },
      /:/,
    ),
  ];
}

const IPV4_EXACT = new RegExp(`^(?:${OCTET}\\.){3}${OCTET}$`);
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

export function isIpv6(candidate: string): boolean {
  if (!candidate.includes(':')) return false;
  let groupsText = candidate;
  let embeddedV4 = 0;
  const lastColon = candidate.lastIndexOf(':');
  const tail = candidate.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!IPV4_EXACT.test(tail)) return false;
    groupsText = candidate.slice(0, lastColon + 1);
    embeddedV4 = 2;
    if (groupsText.endsWith(':') && !groupsText.endsWith('::')) groupsText = groupsText.slice(0, -1);
  } else if (candidate.includes('.')) {
    return false;
  }
  const halves = groupsText.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
  if (!groups.every((group) => HEX_GROUP.test(group))) return false;
  const count = groups.length + embeddedV4;
  return halves.length === 2 ? count >= 1 && count <= 7 : count === 8;
}
