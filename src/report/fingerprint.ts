/**
 * Finding identities that survive unrelated edits, shared by the baseline (`src/cli/baseline.ts`) and
 * SARIF's `partialFingerprints` (`src/report/sarif.ts`): each builds a key from what identifies a finding
 * in its format (never the line number), and a finding's fingerprint is a hash of its key with its rank
 * among the findings of the file that have the same key (two identical calls on two lines stay two).
 */
import { createHash } from 'node:crypto';

/** Counts the keys of one file's findings, in the order given: `next(key)` is the fingerprint of the key's next occurrence. */
export class FingerprintRanks {
  private readonly seen = new Map<string, number>();
  constructor(
    /** Hex digits of the SHA-256 kept (formats differ; neither may change, or every stored fingerprint would). */
    private readonly hexLength: number,
  ) {}
  /** The occurrence index the next finding with this key gets (0 for the first). */
  rank(key: string): number {
    const r = this.seen.get(key) ?? 0;
    this.seen.set(key, r + 1);
    return r;
  }
  /** `hash:rank` for the next finding with this key. */
  next(key: string): string {
    return `${hashKey(key, this.hexLength)}:${this.rank(key)}`;
  }
}

/** The first `hexLength` hex digits of the key's SHA-256. */
export function hashKey(key: string, hexLength: number): string {
  return createHash('sha256').update(key).digest('hex').slice(0, hexLength);
}
