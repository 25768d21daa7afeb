/**
 * Every fixture is linted with the default configuration; the findings must match the
 * `// expect: rule-id` comments exactly: nothing missing, nothing extra. The files of one fixture
 * directory are one program (as on the command line), so a helper in one file is known to its callers
 * in another; the headers they include from elsewhere (`fixtures/<id>/inc/`) join it as on the command
 * line (`includedFiles`).
 */
import { readFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintText, prepareProject } from '../src/lint/linter.js';
import { includedFiles } from '../src/parse/includes.js';
import type { Project } from '../src/analysis/project.js';
import { listSourceFiles, readExpectations } from './support/expectations.js';

const ROOT = new URL('..', import.meta.url).pathname;
const files = listSourceFiles(`${ROOT}fixtures`);
const projects = new Map<string, Project>();
function projectOf(file: string): Project {
  const dir = dirname(file);
  let p = projects.get(dir);
  if (!p) {
    const own = files.filter((f) => dirname(f) === dir).map((f) => ({ path: f, text: readFileSync(f, 'utf8') }));
    p = prepareProject([...own, ...includedFiles(own, { maxBytes: 1 << 26 })]);
    projects.set(dir, p);
  }
  return p;
}

describe('fixtures', () => {
  it('exist', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    const name = relative(ROOT, file);
    it(name, () => {
      const text = readFileSync(file, 'utf8');
      const result = lintText(text, file, { project: projectOf(file) });
      const fatal = result.messages.filter((m) => m.fatal);
      expect(fatal.map((m) => `${m.line}: ${m.message}`), 'internal errors').toEqual([]);
      const expected = new Set(readExpectations(text).map((e) => `${e.line} ${e.ruleId}`));
      const actual = new Map<string, string>();
      for (const m of result.messages) actual.set(`${m.line} ${m.ruleId}`, `${m.line}:${m.column} ${m.ruleId} [${m.function}] ${m.message}`);
      const missing = [...expected].filter((k) => !actual.has(k)).map((k) => `missing: ${name}:${k}`);
      const extra = [...actual.keys()].filter((k) => !expected.has(k)).map((k) => `extra: ${name}:${actual.get(k)}`);
      expect([...missing, ...extra]).toEqual([]);
    });
  }
});
