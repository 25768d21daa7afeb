import { describe, expect, it } from 'vitest';
import { decodeBytes, firstInvalidUtf8 } from '../../src/parse/decode.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('decoding source bytes', () => {
  it('decodes UTF-8 with and without BOM', () => {
    expect(decodeBytes(enc('int x;'))).toMatchObject({ ok: true, text: 'int x;' });
    expect(decodeBytes(new Uint8Array([0xef, 0xbb, 0xbf, ...enc('int y;')]))).toMatchObject({ ok: true, text: 'int y;' });
  });
  it('decodes UTF-16 LE and BE with a BOM', () => {
    const le = new Uint8Array([0xff, 0xfe, ...[...'ab'].flatMap((c) => [c.charCodeAt(0), 0])]);
    const be = new Uint8Array([0xfe, 0xff, ...[...'ab'].flatMap((c) => [0, c.charCodeAt(0)])]);
    expect(decodeBytes(le)).toMatchObject({ ok: true, text: 'ab', encoding: 'utf-16le' });
    expect(decodeBytes(be)).toMatchObject({ ok: true, text: 'ab', encoding: 'utf-16be' });
  });
  it('refuses binary files', () => {
    const r = decodeBytes(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1]));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/binary/);
  });
  it('names the exact offset and line of the first invalid UTF-8 byte', () => {
    const bytes = new Uint8Array([...enc('// caf'), 0xe9, ...enc(' (cp1252)\nint x;\n')]);
    const pre = [...enc('line one\nline two\n')];
    const all = new Uint8Array([...pre, ...bytes]);
    expect(firstInvalidUtf8(all)).toBe(pre.length + 6);
    const r = decodeBytes(all);
    expect(!r.ok && r.reason).toMatch(/0xe9 at offset 24, line 3/);
  });
  it('accepts every well-formed sequence and rejects overlongs and surrogates', () => {
    expect(firstInvalidUtf8(enc('aé€😀'))).toBe(enc('aé€😀').length);
    expect(firstInvalidUtf8(new Uint8Array([0xc0, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(new Uint8Array([0x41, 0xe2, 0x82]))).toBe(1);
  });
});
