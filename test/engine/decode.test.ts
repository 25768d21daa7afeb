import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBytes, firstInvalidUtf8, sourceCharset } from '../../src/parse/decode.js';

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
  it('with utf-8 as the code page, names the exact offset and line of the first invalid UTF-8 byte', () => {
    const bytes = new Uint8Array([...enc('// caf'), 0xe9, ...enc(' (cp1252)\nint x;\n')]);
    const pre = [...enc('line one\nline two\n')];
    const all = new Uint8Array([...pre, ...bytes]);
    expect(firstInvalidUtf8(all)).toBe(pre.length + 6);
    const r = decodeBytes(all, 'utf-8');
    expect(!r.ok && r.reason).toMatch(/0xe9 at offset 24, line 3\).*--source-charset/);
  });
  it('reads a file that is not UTF-8 in Windows-1252 by default, as the compiler does on a Western system', () => {
    // "// ’Tür’ – 5 €" as a Windows editor saves it
    const bytes = new Uint8Array([...enc('// '), 0x92, ...enc('T'), 0xfc, ...enc('r'), 0x92, ...enc(' '), 0x96, ...enc(' 5 '), 0x80, ...enc('\nint x;\n')]);
    expect(decodeBytes(bytes)).toEqual({ ok: true, text: '// \u2019T\u00fcr\u2019 \u2013 5 \u20ac\nint x;\n', encoding: 'windows-1252' });
    // every byte is one character: the columns of the code after it are those the editor shows
    const all = decodeBytes(new Uint8Array(Array.from({ length: 255 }, (_, k) => k + 1)));
    expect(all.ok && all.text.length).toBe(255);
    expect(all.ok && [0x80, 0x81, 0x8a, 0x9c, 0x9f, 0xa0, 0xff].map((b) => all.text.codePointAt(b - 1)!.toString(16))).toEqual(['20ac', '81', '160', '153', '178', 'a0', 'ff']);
  });
  it('reads it in the code page named instead (a Shift-JIS trail byte 0x5C is not a backslash there)', () => {
    // "// 表" then a line of code: 表 is 0x95 0x5C in Shift-JIS, and 0x5C alone is "\\", which would continue the comment
    const bytes = new Uint8Array([...enc('// '), 0x95, 0x5c, ...enc('\nint x;\n')]);
    expect(decodeBytes(bytes, 'shift_jis')).toEqual({ ok: true, text: '// \u8868\nint x;\n', encoding: 'shift_jis' });
    expect(decodeBytes(bytes)).toMatchObject({ ok: true, text: '// \u2022\\\nint x;\n' });
  });
  it('a file with a UTF-8 BOM is UTF-8: its invalid bytes are an error whatever the code page', () => {
    const r = decodeBytes(new Uint8Array([0xef, 0xbb, 0xbf, ...enc('// caf'), 0xe9, 0x0a]));
    expect(!r.ok && r.reason).toMatch(/0xe9 at offset 9, line 1/);
  });
  it('code page names: encoding labels, canonical; UTF-16 and unknown names are refused', () => {
    expect(sourceCharset('cp1252')).toBe('windows-1252');
    expect(sourceCharset(' Shift_JIS ')).toBe('shift_jis');
    expect(sourceCharset('utf8')).toBe('utf-8');
    expect(sourceCharset('utf-16le')).toBeUndefined();
    expect(sourceCharset('ebcdic-9000')).toBeUndefined();
  });
  it('accepts every well-formed sequence and rejects overlongs and surrogates', () => {
    expect(firstInvalidUtf8(enc('aé€😀'))).toBe(enc('aé€😀').length);
    expect(firstInvalidUtf8(new Uint8Array([0xc0, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(new Uint8Array([0x41, 0xe2, 0x82]))).toBe(1);
  });
  it('any bytes in any code page: text or a reason, never an exception; Windows-1252 keeps one character a byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('windows-1252', 'utf-8', 'shift_jis', 'gbk', 'big5', 'euc-kr', 'windows-1251'), (bytes, charset) => {
        const r = decodeBytes(bytes, charset);
        expect(r.ok || r.reason.length > 0).toBe(true);
        const bom = (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) || (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf);
        if (r.ok && r.encoding === 'windows-1252') {
          expect(bom).toBe(false);
          expect(r.text.length).toBe(bytes.length);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
