/**
 * The one range in which two versions of a text differ (the language server's edit, found from the
 * texts): the longest common prefix, then the longest common suffix of what is left.
 */
export interface ChangedRange {
  /** First offset that differs (the length of the common prefix). */
  start: number;
  /** End of the changed range in the earlier text, and in the later one (the common suffix follows). */
  oldEnd: number;
  newEnd: number;
}

/** Compared a block at a time (a string comparison runs at memory speed), then a character at a time. */
const BLOCK = 256;

export function changedRange(before: string, after: string): ChangedRange {
  const min = Math.min(before.length, after.length);
  let start = 0;
  while (start + BLOCK <= min && before.slice(start, start + BLOCK) === after.slice(start, start + BLOCK)) start += BLOCK;
  while (start < min && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let oldEnd = before.length;
  let newEnd = after.length;
  while (oldEnd - BLOCK >= start && newEnd - BLOCK >= start && before.slice(oldEnd - BLOCK, oldEnd) === after.slice(newEnd - BLOCK, newEnd)) {
    oldEnd -= BLOCK;
    newEnd -= BLOCK;
  }
  while (oldEnd > start && newEnd > start && before.charCodeAt(oldEnd - 1) === after.charCodeAt(newEnd - 1)) {
    oldEnd--;
    newEnd--;
  }
  return { start, oldEnd, newEnd };
}
