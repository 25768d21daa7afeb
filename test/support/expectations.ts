/** Fixture expectations: `// expect: rule-a, rule-b` at the end of a flagged line. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { languageForPath } from '../../src/parse/parser.js';

export interface Expectation {
  line: number; // 1-based
  ruleId: string;
}

const EXPECT = /\/[/*]\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/;

export function readExpectations(text: string): Expectation[] {
  const out: Expectation[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    const m = EXPECT.exec(l);
    if (!m) return;
    for (const id of m[1]!.split(',')) out.push({ line: i + 1, ruleId: id.trim() });
  });
  return out;
}

export function listSourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (languageForPath(p)) out.push(p);
    }
  };
  walk(dir);
  return out;
}
