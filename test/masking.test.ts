import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MASK_KINDS } from '../src/masking/kinds.ts';
import { createMasking } from '../src/masking/stream.ts';
import { isRefusal } from '../src/policy/refusal.ts';
import { seededRandom } from './helpers/inspect-stream.ts';
import { CUTS, cutName, fixture, mask } from './helpers/masking.ts';

const text = 'text/plain; charset=utf-8';
const json = 'application/json';

describe('masking: each kind, in text', () => {
  const cases: [string, string, string, Record<string, number>][] = [
    ['a spaced card keeps only its last four digits', 'pay with 4111 1111 1111 1111 today', 'pay with **** **** **** 1111 today', { 'card-number': 1 }],
    ['a dashed card', 'card 5555-5555-5555-4444.', 'card ****-****-****-4444.', { 'card-number': 1 }],
    ['a compact 15-digit Amex', 'amex 378282246310005', 'amex ***********0005', { 'card-number': 1 }],
    ['a 19-digit run that fails the Luhn check stays', 'card 6011000990139424000 end', '', {}],
    ['a card followed by its expiry month', 'card 4111 1111 1111 1111 12 26', 'card **** **** **** 1111 12 26', { 'card-number': 1 }],
    ['e-mail addresses', 'write to Jane.Doe+news@mail.example.co.uk or x@y.io.', 'write to [email] or [email].', { email: 2 }],
    ['an E.164 number, compact and grouped', 'call +447700900123 or +44 20 7946 0958', 'call [phone] or [phone]', { phone: 2 }],
    ['North American formats', '(415) 555-2671, 415-555-2671, 415.555.2671, 1 415 555 2671', '[phone], [phone], [phone], [phone]', { phone: 4 }],
    [
      'UK and European national formats',
      '020 7946 0958, 07700 900123, 07700900123, 01 23 45 67 89, (020) 7946 0958',
      '[phone], [phone], [phone], [phone], [phone]',
      { phone: 5 },
    ],
    ['00 international prefix', '0044 20 7946 0958', '[phone]', { phone: 1 }],
    ['IBANs, grouped and compact, any case', 'GB82 WEST 1234 5698 7654 32 and de89370400440532013000 ok', '[iban] and [iban] ok', { iban: 2 }],
    ['UK NINOs, spaced and compact', 'AB 12 34 56 C / ab123456d', '[uk-nino] / [uk-nino]', { 'uk-nino': 2 }],
    [
      'IPv4 and IPv6',
      'from 192.168.0.1, 2001:db8::8a2e:370:7334, ::1 and ::ffff:192.0.2.128.',
      'from [ip-address], [ip-address], [ip-address] and [ip-address].',
      { 'ip-address': 4 },
    ],
    ['a full IPv6 address', 'fe80:0000:0000:0000:0202:b3ff:fe1e:8329', '[ip-address]', { 'ip-address': 1 }],
  ];
  for (const [name, input, expected, counts] of cases) {
    it(name, async () => {
      const result = await mask(input, { contentType: text });
      if (Object.keys(counts).length === 0) {
        assert.equal(result.text, input, 'a Luhn-invalid number stays as it is');
        return;
      }
      assert.equal(result.text, expected);
      assert.deepEqual(result.counts, counts);
    });
  }

  it('masks only the kinds the class lists', async () => {
    const result = await mask('mail a@b.com card 4111111111111111', { contentType: text, kinds: ['email'] });
    assert.equal(result.text, 'mail [email] card 4111111111111111');
    assert.deepEqual(result.counts, { email: 1 });
  });

  it('custom patterns from the policy, bounded by word boundaries', async () => {
    const custom = [{ name: 'employee-id', pattern: 'EMP-\\d{6}', maxLength: 10 }];
    const result = await mask('EMP-123456, XEMP-123456, EMP-1234567, EMP-654321.', { contentType: text, kinds: [], custom });
    assert.equal(result.text, '[employee-id], XEMP-123456, EMP-1234567, [employee-id].');
    assert.deepEqual(result.counts, { 'employee-id': 2 });
  });
});

describe('masking: the false-positive corpus stays unmasked', () => {
  const lines = new TextDecoder()
    .decode(fixture('false-positives.txt'))
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'));
  for (const line of lines) {
    it(line.slice(0, 60), async () => {
      const result = await mask(line, { contentType: text });
      assert.equal(result.text, line);
      assert.deepEqual(result.counts, {});
    });
  }
});

describe('masking: JSON keeps its structure', () => {
  const expected = JSON.parse(new TextDecoder().decode(fixture('chat-transcript.masked.json')));
  for (const cut of CUTS) {
    it(`a chat transcript, cut ${cutName(cut)}`, async () => {
      const result = await mask(fixture('chat-transcript.json'), { contentType: json }, cut);
      assert.deepEqual(JSON.parse(result.text), expected);
      assert.deepEqual(result.counts, { email: 3, 'ip-address': 1, 'card-number': 3, phone: 1, iban: 1, 'uk-nino': 1 });
    });
  }

  it('values hidden by JSON escapes are found; quotes and backslashes near them stay valid', async () => {
    const input = JSON.stringify({ a: 'x\\y@example.com"z', b: 'a\u0040b.co', c: '"4111111111111111"', d: ['\n', '\u0000'] });
    const result = await mask(input.replace('a@b.co', 'a\\u0040b.co'), { contentType: json }, 'bytes');
    assert.deepEqual(JSON.parse(result.text), { a: 'x\\[email]"z', b: '[email]', c: '"************1111"', d: ['\n', '\u0000'] });
  });

  it('a card number written as a JSON number becomes a string; other numbers stay numbers', async () => {
    const result = await mask('[4111111111111111, 1764758400123, -12.5e3, 4111111111111111.5, 12345678901234567890123]', { contentType: json }, 'bytes');
    // The two long numbers are beyond a double's precision, as JSON numbers often are: JSON.parse rounds them alike on both sides.
    assert.deepEqual(JSON.parse(result.text), JSON.parse('["************1111", 1764758400123, -12.5e3, 4111111111111111.5, 12345678901234567890123]'));
  });

  it('NDJSON: one masked value per line, lines kept', async () => {
    const result = await mask('{"m":"a@b.com"}\n{"m":"c@d.com"}\n', { contentType: 'application/x-ndjson' }, 'bytes');
    assert.equal(result.text, '{"m":"[email]"}\n{"m":"[email]"}\n');
  });

  it('a value never spans two JSON strings', async () => {
    const result = await mask('["4111 1111", "1111 1111"]', { contentType: json });
    assert.equal(result.text, '["4111 1111", "1111 1111"]');
  });
});

describe('masking: any chunking gives the same bytes', () => {
  const random = seededRandom(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const values = [
    '4111 1111 1111 1111',
    'jane@example.com',
    '+44 20 7946 0958',
    'GB82WEST12345698765432',
    'AB123456C',
    '10.0.0.1',
    '2001:db8::1',
    '😀',
    'é',
    'order 100234',
    '2026-11-21T10:00:00Z',
  ];
  const documents = Array.from({ length: 20 }, () => Array.from({ length: 30 }, () => pick(values)).join(pick([' ', ', ', '\n', ' and '])));
  for (const [index, document] of documents.entries()) {
    it(`random document #${index}`, async () => {
      const whole = await mask(document, { contentType: text });
      assert.ok(Object.keys(whole.counts).length > 0);
      for (const cut of CUTS.slice(1)) {
        const cutResult = await mask(document, { contentType: text }, cut);
        assert.equal(cutResult.text, whole.text, cutName(cut));
        assert.deepEqual(cutResult.counts, whole.counts, cutName(cut));
      }
      const asJson = await mask(JSON.stringify({ document }), { contentType: json }, { seed: index });
      assert.equal(JSON.parse(asJson.text).document, whole.text);
    });
  }
});

describe('masking: irreversible and bounded', () => {
  it('what is stored holds none of the masked values', async () => {
    const result = await mask(fixture('chat-transcript.json'), { contentType: json });
    for (const secret of ['jane.doe', '203.0.113.42', '4111 1111 1111', '7946', 'WEST', 'AB 12 34', '378282246', 'bob@']) {
      assert.ok(!result.text.includes(secret), secret);
    }
  });

  it('refuses a body type it cannot mask, and text that is not UTF-8', async () => {
    for (const contentType of ['application/octet-stream', '', 'image/png', 'text/plain; charset=utf-16']) {
      assert.throws(
        () => createMasking({ kinds: MASK_KINDS, custom: [], contentType }),
        (error) => isRefusal(error) && error.code === 'body_uninspectable',
        contentType,
      );
    }
    await assert.rejects(mask(new Uint8Array([0x61, 0xff, 0x62]), { contentType: text }), (error) => isRefusal(error) && error.code === 'body_uninspectable');
  });

  it('a long run of digits and separators takes linear time (no backtracking blow-up)', async () => {
    const body = `${'1 '.repeat(50_000)}${'a@'.repeat(50_000)}${'1.'.repeat(50_000)}${':'.repeat(50_000)}${'a'.repeat(50_000)}`;
    const result = await mask(body, { contentType: text });
    assert.equal(result.text.length, body.length);
  });
});
