/**
 * Length of the UTF-8 sequence whose lead byte (>= 0x80) is at `at`, or 0
 * when it is not valid UTF-8 (stray continuation byte, overlong form,
 * surrogate, past U+10FFFF, or cut short by `end`).
 */
export function utf8SequenceLength(b: Uint8Array, at: number, end: number): number {
  const lead = b[at]!;
  let length: number;
  let min = 0x80;
  let max = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) min = 0xa0;
    if (lead === 0xed) max = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) min = 0x90;
    if (lead === 0xf4) max = 0x8f;
  } else return 0;
  if (at + length > end) return 0;
  const second = b[at + 1]!;
  if (second < min || second > max) return 0;
  for (let i = 2; i < length; i++) if ((b[at + i]! & 0xc0) !== 0x80) return 0;
  return length;
}
