import { afterEach, describe, expect, it, vi } from 'vitest';
import { resultWith, SourceTexts, withSource } from '../../src/cli/source-texts.js';
import { emptyResult, type LintResult } from '../../src/lint/types.js';
import { StoredText } from '../../src/parse/stored-text.js';
import { jsonChunks } from '../../src/report/json-chunks.js';

const TEXT = 'NTSTATUS f(PMDL Mdl)\r\n{\r\n    MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess); // “quoted”\r\n}\r\n';

function withFinding(path: string): LintResult {
  return {
    ...emptyResult(path),
    messages: [{ ruleId: 'mdl-probe-outside-try', severity: 2, message: 'm', line: 3, column: 5 }],
    errorCount: 1,
  };
}

afterEach(() => vi.restoreAllMocks());

describe('sources held compressed until the report reads them', () => {
  it('a result with a stored source gives the JSON of a result with the source in it, key for key', () => {
    const texts = new SourceTexts();
    const r = withFinding('a.c');
    const lazy = withSource(r, texts.set('a.c', TEXT));
    expect(JSON.stringify(lazy)).toBe(JSON.stringify({ ...r, source: TEXT }));
    expect(Object.keys(lazy)).toEqual(Object.keys({ ...r, source: TEXT }));
    expect(texts.get('a.c')).toBe(TEXT);
    expect(texts.get('b.c')).toBeUndefined();
  });

  it('the source replaces one the result had, in the same place', () => {
    const r = { ...withFinding('a.c'), source: 'old', stats: { functions: 1, functionsWithParseErrors: 0 } };
    const lazy = withSource(r, new StoredText(TEXT));
    const { source: _s, ...rest } = r;
    expect(JSON.stringify(lazy)).toBe(JSON.stringify({ ...rest, source: TEXT }));
  });

  it('resultWith changes a result as a spread would, without reading its source', () => {
    const r = withSource(withFinding('a.c'), new StoredText(TEXT));
    const whole = vi.spyOn(StoredText.prototype, 'whole');
    const counts = { errorCount: 0, warningCount: 1, fatalErrorCount: 0 };
    const changed = resultWith(r, counts);
    const dropped = resultWith(r, { messages: [], source: undefined });
    expect(whole).not.toHaveBeenCalled();
    expect(JSON.stringify(changed)).toBe(JSON.stringify({ ...r, ...counts }));
    const spread: Partial<LintResult> = { ...r, messages: [] };
    delete spread.source;
    expect(JSON.stringify(dropped)).toBe(JSON.stringify(spread));
    expect('source' in dropped).toBe(false);
    // (the spreads above read it: the accessor is there to be read)
    expect(whole).toHaveBeenCalled();
  });

  it('a JSON report written a piece at a time reads each source as it writes it', () => {
    const texts = new SourceTexts();
    const results = ['a.c', 'b.c', 'c.c'].map((p, i) => withSource(withFinding(p), texts.set(p, `${TEXT}// ${i}\n`)));
    const whole = vi.spyOn(StoredText.prototype, 'whole');
    const it = jsonChunks(results, 0, 1);
    const pieces: string[] = [];
    for (let r = it.next(); !r.done; r = it.next()) {
      pieces.push(r.value);
      // (at most one more source read than results written so far)
      expect(whole.mock.calls.length).toBeLessThanOrEqual(pieces.filter((p) => p.includes('"source"')).length + 1);
    }
    expect(pieces.join('')).toBe(JSON.stringify(results.map((r, i) => ({ ...withFinding(r.filePath), source: `${TEXT}// ${i}\n` }))));    expect(whole).toHaveBeenCalledTimes(3);
  });

  it("a shard's texts are a record whose values are read when written", () => {
    const texts = new SourceTexts();
    texts.set('z.c', TEXT);
    texts.set('a.c', 'int x;\n');
    const whole = vi.spyOn(StoredText.prototype, 'whole');
    const record = texts.toRecord();
    expect(Object.keys(record)).toEqual(['z.c', 'a.c']);
    expect(whole).not.toHaveBeenCalled();
    expect([...jsonChunks({ texts: record }, 0, 2)].join('')).toBe(JSON.stringify({ texts: { 'z.c': TEXT, 'a.c': 'int x;\n' } }));
  });
});
