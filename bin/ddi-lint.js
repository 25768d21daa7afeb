#!/usr/bin/env node
// ddi-lint command line. The TypeScript sources are compiled to dist/ by `npm install` (the
// `prepare` script) or `npm run build`; this file only loads the compiled entry point, which runs the
// command in a worker thread (src/cli/launch.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/launch.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('ddi-lint: not built: dist/src/cli/launch.js is missing; run `npm install` or `npm run build` in the ddi-lint package\n');
  process.exit(2);
}
try {
  const { launch } = await import(entry.href);
  process.exitCode = await launch(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`ddi-lint: internal error: ${e && e.stack ? e.stack : String(e)}\n`);
  process.exitCode = 2;
}
