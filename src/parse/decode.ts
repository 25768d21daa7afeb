/**
 * Turning a file's bytes into text, or into a one-line reason why it cannot be linted.
 * UTF-8 (with or without BOM) and UTF-16 with a BOM (Windows sources often are) are decoded. A file
 * with no BOM that is not valid UTF-8 is read in a code page, as the Microsoft C/C++ compiler reads
 * it (in the system's ANSI code page, unless `/source-charset` says otherwise): Windows-1252 unless
 * the run names another (`--source-charset`); `utf-8` refuses such files. Binary files are refused.
 */
import { readFile, stat } from 'node:fs/promises';

export type DecodeResult = { ok: true; text: string; encoding: string } | { ok: false; reason: string };

/**
 * The code page of a source file that has no BOM and is not valid UTF-8: the ANSI code page of a
 * Western-European or US Windows system, in which MSVC reads such a file.
 */
export const DEFAULT_SOURCE_CHARSET = 'windows-1252';

/**
 * The canonical name of a `--source-charset` value (any WHATWG encoding label: `windows-1252`,
 * `cp1252`, `shift_jis`, `gbk`, `windows-1251`, `utf-8`...), or undefined when no decoder knows it.
 * UTF-16 is not a code page (it needs a BOM, and a file with one is always decoded as such).
 */
export function sourceCharset(label: string): string | undefined {
  let name: string;
  try {
    name = new TextDecoder(label.trim()).encoding;
  } catch {
    return undefined;
  }
  return name.startsWith('utf-16') ? undefined : name;
}

/**
 * Windows-1252 (the WHATWG decoder of Node 20 maps 0x80-0x9F to C1 controls, as ISO-8859-1 does,
 * where Windows-1252 has the curly quotes, dashes and the euro sign that Windows editors write in
 * comments). Five bytes are undefined in Windows-1252; Windows maps them to the same code points.
 */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
];

function decodeWindows1252(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 8192;
  for (let at = 0; at < bytes.length; at += CHUNK) {
    const end = Math.min(bytes.length, at + CHUNK);
    const codes = new Array<number>(end - at);
    for (let k = at; k < end; k++) {
      const b = bytes[k]!;
      codes[k - at] = b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80]! : b;
    }
    parts.push(String.fromCharCode(...codes));
  }
  return parts.join('');
}

/** Files larger than this are refused (a generated 50 MB file still passes). */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * `charset`: the code page of a file that has no BOM and is not valid UTF-8 (a canonical name, see
 * `sourceCharset`); `utf-8` refuses such a file with the offset of its first invalid byte.
 */
export function decodeBytes(bytes: Uint8Array, charset: string = DEFAULT_SOURCE_CHARSET): DecodeResult {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { ok: true, text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { ok: true, text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  }
  let start = 0;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  const probe = Math.min(bytes.length, 8192);
  for (let k = start; k < probe; k++) {
    if (bytes[k] === 0) return { ok: false, reason: 'binary file (contains NUL bytes), not C/C++ source' };
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start));
    return { ok: true, text, encoding: 'utf-8' };
  } catch {
    // (a file with a UTF-8 BOM says what it is: its invalid bytes are an error)
    if (start === 0 && charset === 'windows-1252') return { ok: true, text: decodeWindows1252(bytes), encoding: charset };
    if (start === 0 && charset !== 'utf-8') {
      try {
        return { ok: true, text: new TextDecoder(charset).decode(bytes), encoding: charset };
      } catch {
        // a label the caller did not check: fall through to the UTF-8 error
      }
    }
    const bad = firstInvalidUtf8(bytes, start);
    let line = 1;
    for (let k = start; k < bad; k++) if (bytes[k] === 0x0a) line++;
    return { ok: false, reason: `not valid UTF-8 text (invalid byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')} at offset ${bad}, line ${line}); save it as UTF-8 or UTF-16 with a BOM, or name its code page with --source-charset` };
  }
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array, from = 0): number {
  let k = from;
  while (k < bytes.length) {
    const b = bytes[k]!;
    let need: number;
    let min: number;
    if (b < 0x80) {
      k++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return k;
    if (k + need >= bytes.length) return k;
    let cp = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    for (let j = 1; j <= need; j++) {
      const c = bytes[k + j];
      if (c === undefined || (c & 0xc0) !== 0x80) return k;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return k;
    k += need + 1;
  }
  return k;
}

export async function readSourceText(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES, charset: string = DEFAULT_SOURCE_CHARSET): Promise<DecodeResult> {
  let size: number;
  try {
    const st = await stat(path);
    if (st.isDirectory()) return { ok: false, reason: 'is a directory' };
    size = st.size;
  } catch (e) {
    return { ok: false, reason: describeFsError(e) };
  }
  if (size > maxBytes) return { ok: false, reason: `file is ${(size / 1048576).toFixed(1)} MiB, over the ${(maxBytes / 1048576).toFixed(0)} MiB limit (--max-file-size)` };
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    return { ok: false, reason: describeFsError(e) };
  }
  return decodeBytes(bytes, charset);
}

export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (file is not readable)';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return err?.message ? String(err.message).split('\n')[0]! : String(e);
  }
}
