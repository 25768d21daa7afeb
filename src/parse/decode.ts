/**
 * Turning a file's bytes into text, or into a one-line reason why it cannot be linted.
 * UTF-8 (with or without BOM) and UTF-16 with a BOM (Windows sources often are) are decoded;
 * binary and invalid UTF-8 are refused with a reason.
 */
import { readFile, stat } from 'node:fs/promises';

export type DecodeResult = { ok: true; text: string; encoding: 'utf-8' | 'utf-16le' | 'utf-16be' } | { ok: false; reason: string };

/** Files larger than this are refused (a generated 50 MB file still passes). */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

export function decodeBytes(bytes: Uint8Array): DecodeResult {
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
    const bad = firstInvalidUtf8(bytes, start);
    let line = 1;
    for (let k = start; k < bad; k++) if (bytes[k] === 0x0a) line++;
    return { ok: false, reason: `not valid UTF-8 text (invalid byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')} at offset ${bad}, line ${line}); save it as UTF-8 or UTF-16 with a BOM` };
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

export async function readSourceText(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<DecodeResult> {
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
  return decodeBytes(bytes);
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
