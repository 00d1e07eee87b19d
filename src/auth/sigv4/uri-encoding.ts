const UNRESERVED = /[A-Za-z0-9\-._~]/;
const encoder = new TextEncoder();

/**
 * SigV4's URI encoding: every byte but the RFC 3986 unreserved characters as
 * `%XX` (upper-case hex); `/` kept only when `keepSlash` (the path of S3).
 */
export function uriEncode(text: string, keepSlash: boolean): string {
  let encoded = '';
  for (const char of text) {
    if (UNRESERVED.test(char) || (keepSlash && char === '/')) {
      encoded += char;
      continue;
    }
    for (const byte of encoder.encode(char)) encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}
