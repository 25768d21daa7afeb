/**
 * Every C/C++ file under fixtures/ parses (after preprocessing) with no ERROR or MISSING node in any
 * function definition, and the preprocessed text has the original's length and lines. Iterates what is
 * there: fixtures are added over time.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { languageForPath, parseSource, type SyntaxNode } from '../../src/parse/parser.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const FIXTURES = join(ROOT, 'fixtures');

function walk(dir: string, out: string[]): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue; // removed meanwhile
    }
    if (st.isDirectory()) walk(p, out);
    else if (st.isFile() && languageForPath(p)) out.push(p);
  }
  return out;
}

function firstError(node: SyntaxNode): SyntaxNode | null {
  if (!node.hasError) return null;
  const cursor = node.walk();
  for (;;) {
    const t = cursor.currentNode;
    if (t.type === 'ERROR' || t.isMissing) return t;
    if (t.hasError && cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return null;
  }
}

const files = walk(FIXTURES, []);

describe('fixtures parse without errors', () => {
  it('finds the fixtures directory', () => {
    // an empty list is fine while fixtures are being written; the directory itself must exist
    expect(statSync(FIXTURES).isDirectory()).toBe(true);
  });

  for (const file of files) {
    const name = relative(ROOT, file);
    it(name, () => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        return; // removed while the suite ran
      }
      const sf = parseSource(file, text);
      expect(sf.parsedText.length).toBe(text.length);
      expect(sf.parsedText.split('\n').length).toBe(text.split('\n').length);
      const bad = sf.functions
        .filter((f) => f.node.hasError)
        .map((f) => {
          const e = firstError(f.node);
          const p = e ? e.startPosition : f.node.startPosition;
          return `${name}:${p.row + 1}:${p.column + 1}: in ${f.name}: ${text.split('\n')[p.row]?.trim()}`;
        });
      expect(bad).toEqual([]);
    });
  }
});
