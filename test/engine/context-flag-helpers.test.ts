/**
 * A cleanup helper that tests a flag of the context it is given (`if (Ctx->PagesLocked) MmUnlockPages(...)`)
 * has a case for each outcome, and every caller takes both (docs/rules/mdl-free-while-locked.md, Known
 * limitations). A first attempt to narrow the cases by the caller's value of the field (session 29,
 * withdrawn) lost each defect below: in each, the helper does not read the field as the caller left it
 * (ClearFlag, a copy of the pointer or an embedded header passed on, a parenthesized argument, an anonymous
 * union, a whole-structure assignment, C++ methods and references, an octal mask, BOOLEAN truncation), or
 * the caller's value is stale after a write through an alias. Written by the review that found them; a next
 * attempt must keep every finding here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintText } from '../../src/lint/linter.js';

const DIR = join(import.meta.dirname, 'data', 'context-flag-helpers');
const EXPECTED: Record<string, string[]> = {
  'r1_paren_arg.c': ['55 mdl-free-while-locked'],
  'r2_alias_local.c': ['54 mdl-free-while-locked'],
  'r3_anon_union.c': ['51 mdl-free-while-locked'],
  'r4_struct_assign.c': ['49 mdl-free-while-locked'],
  'r5_cpp_method.cpp': ['46 mdl-free-while-locked'],
  'r8_caller_stale_value.c': ['42 mdl-free-while-locked', '68 mdl-free-while-locked', '94 mdl-free-while-locked'],
  'r9_octal_mask.c': ['40 mdl-free-while-locked'],
  'r10_containing_record.c': ['60 mdl-free-while-locked'],
  'r14_boolean_literal_trunc.c': ['46 mdl-free-while-locked'],
  'r16_cpp_ref_alias.cpp': ['47 mdl-free-while-locked'],
  'r17_struct_init.c': ['59 mdl-free-while-locked'],
  'r18_clearflag.c': ['48 mdl-free-while-locked'],
};

describe('cleanup helpers that test a flag of their context: the frees of locked pages stay reported', () => {
  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(file, () => {
      const path = join(DIR, file);
      const r = lintText(readFileSync(path, 'utf8'), path);
      expect(r.messages.map((m) => `${m.line} ${m.ruleId}`)).toEqual(expected);
    });
  }
});
