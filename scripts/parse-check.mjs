#!/usr/bin/env node
// Lists functions whose bodies hold parse errors after preprocessing (needs a build: `npx tsc -p .`).
// Usage: node scripts/parse-check.mjs DIR_OR_FILE...
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
const { parseSource, languageForPath } = await import('../dist/src/parse/parser.js');
let total = 0, bad = 0;
const walk = (p) => {
  if (statSync(p).isDirectory()) { for (const e of readdirSync(p)) walk(join(p, e)); return; }
  if (!languageForPath(p)) return;
  const sf = parseSource(p, readFileSync(p, 'utf8'));
  for (const fn of sf.functions) {
    total++;
    if (fn.hasError) { bad++; console.log(`${p}:${fn.line}: ${fn.name}: parse error in body`); }
  }
};
for (const a of process.argv.slice(2)) walk(a);
console.log(`${total} functions, ${bad} with parse errors`);
