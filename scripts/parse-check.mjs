#!/usr/bin/env node
// Lists the functions whose definitions hold parse errors after preprocessing, with the first
// erroneous line (needs a build: `npx tsc -p .`). For corpus-wide figures and the most common causes,
// use `node dist/src/bench/parse-stats.js DIR [--raw|--both]`.
// Usage: node scripts/parse-check.mjs DIR_OR_FILE...
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const { parseSource, languageForPath } = await import('../dist/src/parse/parser.js');
const { readSourceText } = await import('../dist/src/parse/decode.js');
const { firstErrorNode } = await import('../dist/src/bench/parse-stats.js');

let total = 0;
let bad = 0;
const files = [];
const walk = (p) => {
  if (statSync(p).isDirectory()) {
    for (const e of readdirSync(p).sort()) if (e !== '.git' && e !== 'node_modules') walk(join(p, e));
    return;
  }
  if (languageForPath(p)) files.push(p);
};
for (const a of process.argv.slice(2)) walk(a);
let k = 0;
for (const p of files) {
  if (++k % 16 === 0) await new Promise((r) => setImmediate(r)); // let the binding free trees
  const r = await readSourceText(p);
  if (!r.ok) {
    console.error(`${p}: ${r.reason}`);
    continue;
  }
  const sf = parseSource(p, r.text);
  const lines = r.text.split('\n');
  for (const fn of sf.functions) {
    total++;
    if (!fn.node.hasError) continue;
    bad++;
    const e = firstErrorNode(fn.hasError ? fn.body : fn.node);
    const row = e ? e.startPosition.row : fn.line - 1;
    const col = e ? e.startPosition.column + 1 : 1;
    console.log(`${p}:${row + 1}:${col}: ${fn.name}: parse error ${fn.hasError ? 'in body' : 'in declarator'}: ${(lines[row] ?? '').trim()}`);
  }
}
console.log(`${total} functions, ${bad} with parse errors`);
