import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectedSet, faultSet, simulate } from './helpers.js';

const dir = join(import.meta.dirname, 'cases');

describe('simulator cases (// @ kind markers)', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.c'))) {
    const code = readFileSync(join(dir, file), 'utf8');
    const results = simulate(code, {}, file);
    for (const r of results) {
      it(`${file}: ${r.function}`, () => {
        expect(r.capped).toBe(false);
        expect(faultSet(r)).toEqual(expectedSet(code, r));
      });
    }
  }
});
