/**
 * Binds a call's arguments to a signature: positional and keyword arguments,
 * defaults, constant arithmetic (`1/255`), types and ranges. Every problem is
 * reported with the range of the offending argument; a bad value falls back
 * to its default so that checking goes on.
 */
import { createDiagnostic, createSuggestedDiagnostic, type Diagnostic } from '../diagnostics';
import { closestMatch } from '../suggest';
import type { CallExpression, DictExpression, Expression, StringLiteral, TextRange } from '../syntax/tree';
import { ACTIVATION_NAMES } from './activations';
import type { ArgType, ArgValue, KeyedColumns, KeyedEntry, ResolvedArgs, ResolvedCall, Signature } from './types';

export interface ArgumentContext {
  text: string;
  diagnostics: Diagnostic[];
  /** Resolves a nested layer call (Bidirectional's layer). */
  resolveLayer?(call: CallExpression, accepts: readonly string[]): ResolvedCall | undefined;
}

export interface Resolution extends ResolvedArgs {
  /** False when a required argument is missing or invalid: the call's result is unknown. */
  complete: boolean;
}

export function resolveArguments(spec: Signature, call: CallExpression, context: ArgumentContext): Resolution {
  const values: Record<string, ArgValue> = {};
  const given = new Set<string>();
  const ranges: Record<string, TextRange> = {};
  const invalid = new Set<string>();
  let positionalIndex = 0;
  let seenKeyword = false;
  let misplaced = false;

  for (const arg of call.args) {
    let paramName: string;
    if (arg.name) {
      seenKeyword = true;
      const param = spec.params.find((p) => p.name === arg.name!.text);
      if (!param && INPUT_ARGUMENTS.includes(arg.name.text)) {
        context.diagnostics.push(createDiagnostic('input-as-argument', arg, inputShapeText(arg.value, context.text)));
        continue;
      }
      if (!param) {
        const alias = spec.params.find((p) => p.aliases?.includes(arg.name!.text));
        const suggestion = alias?.name ?? closestMatch(arg.name.text, spec.params.map((p) => p.name));
        context.diagnostics.push(createSuggestedDiagnostic('unknown-argument', arg.name, suggestion, spec.name, arg.name.text, suggestion));
        continue;
      }
      paramName = param.name;
    } else {
      if (seenKeyword) {
        context.diagnostics.push(createDiagnostic('positional-after-keyword', arg));
        misplaced = true;
        continue;
      }
      if (positionalIndex >= spec.positional) {
        // One error for all the extra arguments.
        if (!misplaced) {
          const extra = call.args.filter((a) => !a.name).slice(spec.positional);
          const range = { pos: extra[0]!.pos, end: extra[extra.length - 1]!.end };
          context.diagnostics.push(createDiagnostic('too-many-arguments', range, spec.name, spec.positional));
        }
        misplaced = true;
        continue;
      }
      paramName = spec.params[positionalIndex++]!.name;
    }
    if (given.has(paramName)) {
      context.diagnostics.push(createDiagnostic('duplicate-argument', arg, spec.name, paramName));
      continue;
    }
    given.add(paramName);
    ranges[paramName] = { pos: arg.value.pos, end: arg.value.end };
    const param = spec.params.find((p) => p.name === paramName)!;
    const value = checkValue(param.type, arg.value, spec.name, param.name, context);
    if (value === undefined) invalid.add(paramName);
    else values[paramName] = value;
  }

  let complete = true;
  for (const param of spec.params) {
    if (param.name in values) continue;
    if (param.default !== undefined) {
      values[param.name] = param.default;
      if (invalid.has(param.name)) given.delete(param.name);
      continue;
    }
    complete = false;
    if (!invalid.has(param.name) && call.closed && !misplaced) {
      context.diagnostics.push(createDiagnostic('missing-argument', call.callee, spec.name, param.name));
    }
  }
  return { values, given: spec.params.map((param) => param.name).filter((name) => given.has(name)), positional: positionalIndex, ranges, complete };
}

/** Keras's ways of giving a layer its input shape; the language has input statements instead. */
export const INPUT_ARGUMENTS: readonly string[] = ['input_shape', 'input_dim', 'batch_input_shape', 'shape'];

/** `(784,)` → `[784]`, for the message that shows the input statement to write. */
function inputShapeText(value: Expression, text: string): string {
  if (value.kind === 'List' || value.kind === 'Tuple') return `[${value.elements.map((e) => text.slice(e.pos, e.end)).join(', ')}]`;
  const single = evaluateNumber(value);
  return single !== undefined ? `[${single}]` : '[…]';
}

/** Evaluates constant arithmetic; undefined when the expression is not a number. */
export function evaluateNumber(expression: Expression): number | undefined {
  switch (expression.kind) {
    case 'Number':
      return Number.isFinite(expression.value) ? expression.value : undefined;
    case 'Unary': {
      const operand = evaluateNumber(expression.operand);
      if (operand === undefined) return undefined;
      return expression.operator === '-' ? -operand : operand;
    }
    case 'Binary': {
      const left = evaluateNumber(expression.left);
      const right = evaluateNumber(expression.right);
      if (left === undefined || right === undefined) return undefined;
      const result =
        expression.operator === '+' ? left + right : expression.operator === '-' ? left - right : expression.operator === '*' ? left * right : left / right;
      return Number.isFinite(result) ? result : undefined;
    }
    case 'Tuple':
      return !expression.hasComma && expression.elements.length === 1 ? evaluateNumber(expression.elements[0]!) : undefined;
    default:
      return undefined;
  }
}

/** True for arithmetic whose parts are numbers but whose result is not (division by zero). */
function isBrokenArithmetic(expression: Expression): boolean {
  if (expression.kind !== 'Binary' && expression.kind !== 'Unary') return false;
  const parts = expression.kind === 'Binary' ? [expression.left, expression.right] : [expression.operand];
  return parts.every((part) => evaluateNumber(part) !== undefined);
}

/** The text of a name or string expression, for enumerations and monitors. */
export function nameOf(expression: Expression): string | undefined {
  if (expression.kind === 'Name') return expression.name.text;
  if (expression.kind === 'String') return expression.value;
  return undefined;
}

export function describeType(type: ArgType): string {
  switch (type.kind) {
    case 'int':
      return 'a whole number';
    case 'float':
      return 'a number';
    case 'bool':
      return 'true or false';
    case 'string':
      return 'a string';
    case 'enum':
      return `one of ${type.values.join(', ')}`;
    case 'activation':
      return 'an activation such as relu';
    case 'ints':
      return type.rank === 1 ? 'a whole number' : `a whole number or a tuple of ${type.rank}`;
    case 'intList':
      return 'a list of whole numbers such as [28, 28, 1]';
    case 'factor':
      return 'a number or a pair [lower, upper]';
    case 'pair':
      return 'a pair [low, high]';
    case 'layer':
      return `a layer call: ${type.accepts.join(', ')}`;
    case 'monitor':
      return 'a quantity such as val_loss';
    case 'columns':
      return `${type.single ? 'a column name or ' : ''}a dict such as {features: "f0:f63"}`;
    case 'optional':
      return `${describeType(type.of)} or none`;
  }
}

/**
 * A dict of columns per key. A key written twice is reported; a value that
 * is neither a string nor a list of strings is reported and its entry
 * dropped, so the others are still checked.
 */
function keyedColumns(dict: DictExpression, callee: string, name: string, context: ArgumentContext): KeyedColumns {
  const entries: KeyedEntry[] = [];
  for (const entry of dict.entries) {
    const key = entry.key.kind === 'Identifier' ? entry.key.text : entry.key.value;
    if (entries.some((seen) => seen.key === key)) {
      context.diagnostics.push(createDiagnostic('duplicate-key', entry.key, key));
      continue;
    }
    const value = entry.value;
    const items = value.kind === 'List' ? value.elements : [value];
    if (value.kind === 'Missing') continue;
    if (items.length === 0 || !items.every((item) => item.kind === 'String')) {
      const source = context.text.slice(value.pos, value.end);
      context.diagnostics.push(createDiagnostic('argument-type', value, callee, `${name}[${key}]`, 'a column name, a list of them, or "first:last"', `'${source}'`));
      continue;
    }
    const strings = items as StringLiteral[];
    entries.push({ key, columns: strings.map((item) => item.value), keyRange: rangeOf(entry.key), range: rangeOf(value), columnRanges: strings.map(rangeOf) });
  }
  return { kind: 'keyed', entries };
}

function rangeOf(range: TextRange): TextRange {
  return { pos: range.pos, end: range.end };
}

export function describeRange(type: { min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean }, integer: boolean): string {
  const { min, max } = type;
  if (min !== undefined && max !== undefined) {
    return `in ${type.minOpen ? '(' : '['}${min}, ${max}${type.maxOpen ? ')' : ']'}`;
  }
  if (min !== undefined) {
    if (type.minOpen) return `greater than ${min}`;
    return integer && min === 1 ? 'at least 1' : `at least ${min}`;
  }
  if (max !== undefined) return type.maxOpen ? `less than ${max}` : `at most ${max}`;
  return 'a number';
}

function inRange(value: number, type: { min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean }): boolean {
  if (type.min !== undefined && (type.minOpen ? value <= type.min : value < type.min)) return false;
  if (type.max !== undefined && (type.maxOpen ? value >= type.max : value > type.max)) return false;
  return true;
}

/** Checks one value against its type; reports and returns undefined when it does not fit. */
export function checkValue(type: ArgType, expression: Expression, callee: string, name: string, context: ArgumentContext): ArgValue | undefined {
  const source = context.text.slice(expression.pos, expression.end) || 'nothing';
  const wrongType = (): undefined => {
    if (expression.kind === 'Missing') return undefined; // the parser reported it
    if (expression.kind === 'Number' && !Number.isFinite(expression.value)) return undefined; // so did the scanner
    if (isBrokenArithmetic(expression)) {
      context.diagnostics.push(createDiagnostic('invalid-expression', expression, `'${source}' is not a finite number`));
      return undefined;
    }
    context.diagnostics.push(createDiagnostic('argument-type', expression, callee, name, describeType(type), `'${source}'`));
    return undefined;
  };
  const outOfRange = (range: string): undefined => {
    context.diagnostics.push(createDiagnostic('argument-range', expression, callee, name, range, source));
    return undefined;
  };

  switch (type.kind) {
    case 'int':
    case 'float': {
      const value = evaluateNumber(expression);
      if (value === undefined) return wrongType();
      if (type.kind === 'int' && !Number.isInteger(value)) return wrongType();
      if (!inRange(value, type)) return outOfRange(describeRange(type, type.kind === 'int'));
      return value;
    }
    case 'bool':
      return expression.kind === 'Boolean' ? expression.value : wrongType();
    case 'string':
      return expression.kind === 'String' ? expression.value : wrongType();
    case 'monitor':
      return nameOf(expression) ?? wrongType();
    case 'columns':
      if (type.single && expression.kind === 'String') return expression.value;
      return expression.kind === 'Dict' ? keyedColumns(expression, callee, name, context) : wrongType();
    case 'enum': {
      const value = nameOf(expression);
      if (value === undefined) return wrongType();
      if (type.values.includes(value)) return value;
      const suggestion = closestMatch(value, type.values);
      context.diagnostics.push(createSuggestedDiagnostic('unknown-value', expression, suggestion, callee, name, value, type.values.join(', '), suggestion));
      return undefined;
    }
    case 'activation': {
      if (expression.kind === 'None') return 'linear';
      const value = nameOf(expression);
      if (value === undefined) return wrongType();
      if (ACTIVATION_NAMES.includes(value)) return value;
      const suggestion = closestMatch(value, ACTIVATION_NAMES);
      context.diagnostics.push(createSuggestedDiagnostic('unknown-activation', expression, suggestion, value, suggestion));
      return undefined;
    }
    case 'ints': {
      const single = evaluateNumber(expression);
      const items = single !== undefined ? Array<number>(type.rank).fill(single) : numbersOf(expression);
      if (!items || items.length !== type.rank || !items.every(Number.isInteger)) return wrongType();
      if (!items.every((v) => v >= type.min)) return outOfRange(describeRange({ min: type.min }, true));
      return items;
    }
    case 'intList': {
      const items = numbersOf(expression);
      if (!items || !items.every(Number.isInteger)) return wrongType();
      const ok = items.every((v) => (type.allowMinusOne && v === -1) || type.min === undefined || v >= type.min);
      if (!ok) return outOfRange(`a list of whole numbers, each at least ${type.min ?? 0}${type.allowMinusOne ? ' (or one -1)' : ''}`);
      if (type.allowMinusOne && items.filter((v) => v === -1).length > 1) return outOfRange('a list with at most one -1');
      return items;
    }
    case 'factor': {
      // One number stands for a range around zero (or around 1 for contrast): its size is what is bounded.
      const single = evaluateNumber(expression);
      if (single !== undefined) {
        const ok = type.min >= 0 ? inRange(single, type) : Math.abs(single) <= type.max;
        return ok ? single : outOfRange(type.min >= 0 ? `in [${type.min}, ${type.max}]` : `at most ${type.max} in size`);
      }
      const items = numbersOf(expression);
      if (!items || items.length !== 2) return wrongType();
      if (!items.every((v) => inRange(v, type))) return outOfRange(`in [${type.min}, ${type.max}]`);
      if (type.ordered && items[0]! > items[1]!) return outOfRange('an increasing pair [lower, upper]');
      return items;
    }
    case 'pair': {
      const items = numbersOf(expression);
      if (!items || items.length !== 2) return wrongType();
      if (items[0]! >= items[1]!) return outOfRange('an increasing pair [low, high]');
      return items;
    }
    case 'layer': {
      if (expression.kind !== 'Call') return wrongType();
      return context.resolveLayer?.(expression, type.accepts);
    }
    case 'optional':
      if (expression.kind === 'None') return null;
      return checkValue(type.of, expression, callee, name, context);
  }
}

function numbersOf(expression: Expression): number[] | undefined {
  if (expression.kind !== 'List' && expression.kind !== 'Tuple') return undefined;
  const items: number[] = [];
  for (const element of expression.elements) {
    const value = evaluateNumber(element);
    if (value === undefined) return undefined;
    items.push(value);
  }
  return items;
}
