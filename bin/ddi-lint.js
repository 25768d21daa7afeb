#!/usr/bin/env node
// ddi-lint command line. The TypeScript sources are compiled to dist/ by `npm install` (the
// `prepare` script) or `npm run build`; this file only loads the compiled entry point.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// `ddi-lint ... | head`: the reader went away; stop quietly with the exit code computed so far.
process.stdout.on('error', (e) => {
  if (e && e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('ddi-lint: not built: dist/src/cli/main.js is missing; run `npm install` or `npm run build` in the ddi-lint package\n');
  process.exit(2);
}
try {
  const { main } = await import(entry.href);
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`ddi-lint: internal error: ${e && e.stack ? e.stack : String(e)}\n`);
  process.exitCode = 2;
}
