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
    // find the first bad byte for the message
    let offset = start;
    try {
      for (; offset < bytes.length; offset += 4096) {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, Math.min(bytes.length, offset + 4096)), { stream: true });
      }
    } catch {
      /* offset is within 4 KiB of the first invalid sequence */
    }
    return { ok: false, reason: `not valid UTF-8 text (invalid byte sequence near byte ${offset}); save it as UTF-8 or UTF-16 with a BOM` };
  }
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
