/**
 * The test of a macro that tests, then jumps (src/parse/macro-condition.ts), at one call: the macro's text with
 * each parameter replaced by the call's argument node (the argument itself, with its position), the nodes
 * made from the macro's text at the call's position with the expansion's text; undefined when the text is not
 * an expression or the call lacks an argument the test names.
 */
import { describe, expect, it } from 'vitest';
import { macroCondition } from '../../src/parse/macro-condition.js';
import { parseRaw } from '../../src/parse/parser.js';
import { toLite, type AstNode } from '../../src/parse/lite.js';

const SOURCE = 'void f(void)\n{\n    IF_FAILED_JUMP(Irp->IoStatus.Status, Done);\n}\n';

/** The call of the source and its arguments, as the analyses read them. */
function call(): { at: AstNode; args: AstNode[] } {
  const tree = parseRaw(SOURCE, 'c');
  const native = tree.rootNode.descendantsOfType('call_expression')[0]!;
  const at = toLite(native, SOURCE);
  return { at, args: at.childForFieldName('arguments')!.namedChildren };
}

describe('a macro test at a call', () => {
  it('has the call\'s arguments in place of the parameters, and the expansion\'s text', () => {
    const { at, args } = call();
    const c = macroCondition('!NT_SUCCESS(ntStatus)', ['ntStatus', 'label'], args, at, 'c')!;
    expect(c.type).toBe('unary_expression');
    expect(c.text).toBe('!NT_SUCCESS(Irp->IoStatus.Status)');
    const inner = c.childForFieldName('argument')!;
    expect(inner.type).toBe('call_expression');
    expect(inner.childForFieldName('function')!.text).toBe('NT_SUCCESS');
    // the argument is the call's own node, with its position
    expect(inner.childForFieldName('arguments')!.namedChildren[0]).toBe(args[0]);
    // the nodes made from the macro's text are at the call, apart from every parsed node
    expect(c.startPosition).toEqual({ row: 2, column: 4 });
    expect([c.startIndex, c.endIndex]).toEqual([at.startIndex, at.endIndex]);
    expect(c.id).toBeLessThan(0);
  });

  it('a parameter named twice, parentheses and a comparison', () => {
    const { at, args } = call();
    const c = macroCondition('(s) != STATUS_SUCCESS && (s) != STATUS_PENDING', ['s', 'label'], args, at, 'c')!;
    expect(c.text).toBe('(Irp->IoStatus.Status) != STATUS_SUCCESS && (Irp->IoStatus.Status) != STATUS_PENDING');
    expect(c.childForFieldName('operator')!.text).toBe('&&');
  });

  it('none for a text that is not an expression, or a parameter the call gives no argument for', () => {
    const { at, args } = call();
    expect(macroCondition('!NT_SUCCESS(s', ['s'], args, at, 'c')).toBeUndefined();
    expect(macroCondition('s; x', ['s'], args, at, 'c')).toBeUndefined();
    expect(macroCondition('a && b && c', ['a', 'b', 'c'], args, at, 'c')).toBeUndefined();
  });

  it('read with the file\'s grammar, and kept apart by it', () => {
    const { at, args } = call();
    expect(macroCondition('(s) == this', ['s'], args, at, 'c')!.childForFieldName('right')!.type).toBe('identifier');
    expect(macroCondition('(s) == this', ['s'], args, at, 'cpp')!.childForFieldName('right')!.type).not.toBe('identifier');
  });

  it('none for a text whose nodes the analyses would place, or that text substitution would read otherwise', () => {
    const { at, args } = call();
    const none = (cond: string, params = ['s', 'label']) => expect(macroCondition(cond, params, args, at, 'c'), cond).toBeUndefined();
    // a call of its own (an IRQL observation at the call's position), an increment, an assignment, a comma
    none('ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, 1) == NULL || !NT_SUCCESS(s)');
    none('(s)-- == 0');
    none('(x = (s)) != 0');
    none('(s), 1');
    // a parameter where substitution replaces what is not an operand: a field, a type
    none('Irp->s != 0');
    none('(s)Irp != 0');
    // strings (a parenthesis in one), variadic macros
    none('!NT_SUCCESS(s) && Log(")")');
    none('(s) != 0', ['s', '...']);
    none('__VA_ARGS__');
  });

  it('an argument that an operator of the macro would regroup (`!s` given `a && b` is `!a && b`)', () => {
    const tree = parseRaw('void f(void) { J(NT_SUCCESS(x) && Length, Done); }', 'c');
    const at = toLite(tree.rootNode.descendantsOfType('call_expression')[0]!, 'void f(void) { J(NT_SUCCESS(x) && Length, Done); }');
    const args = at.childForFieldName('arguments')!.namedChildren;
    expect(macroCondition('!s', ['s', 'L'], args, at, 'c')).toBeUndefined();
    expect(macroCondition('!(s)', ['s', 'L'], args, at, 'c')!.text).toBe('!(NT_SUCCESS(x) && Length)');
    expect(macroCondition('s', ['s', 'L'], args, at, 'c')!).toBe(args[0]);
  });
});
