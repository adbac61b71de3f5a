/**
 * Arguments in words, for hovers, completion details and the reference
 * docs: a type as `int ≥ 1` or `valid | same`, a default as written in a
 * .net file.
 */
import type { ArgType, ParamSpec } from './types';

/** A parameter's type as the reference writes it: `int ≥ 1`, `valid | same`, `activation`. */
export function formatParamType(type: ArgType): string {
  switch (type.kind) {
    case 'int':
      return `int${formatBounds(type)}`;
    case 'float':
      return `number${formatBounds(type)}`;
    case 'bool':
    case 'string':
    case 'activation':
      return type.kind;
    case 'enum':
      return type.values.join(' | ');
    case 'ints':
      return type.rank === 1 ? `int ≥ ${type.min}` : `int or tuple of ${type.rank} ints ≥ ${type.min}`;
    case 'intList':
      return `list of ints${type.allowMinusOne ? ' (one may be -1)' : ''}`;
    case 'factor':
      return `number or [lower, upper] in [${type.min}, ${type.max}]`;
    case 'pair':
      return '[low, high]';
    case 'layer':
      return type.accepts.map((name) => `${name}(…)`).join(' | ');
    case 'monitor':
      return 'recorded quantity';
    case 'columns':
      return `${type.single ? 'column or ' : ''}{name: columns}`;
    case 'optional':
      return `${formatParamType(type.of)} or none`;
  }
}

function formatBounds(type: { min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean }): string {
  if (type.min !== undefined && type.max !== undefined) return ` in ${type.minOpen ? '(' : '['}${type.min}, ${type.max}${type.maxOpen ? ')' : ']'}`;
  if (type.min !== undefined) return type.minOpen ? ` > ${type.min}` : ` ≥ ${type.min}`;
  if (type.max !== undefined) return type.maxOpen ? ` < ${type.max}` : ` ≤ ${type.max}`;
  return '';
}

/** A parameter's default in the language's own syntax (`linear`, `[1, 1]`, `none`, `"label"`); undefined when it is required. */
export function formatDefault(param: ParamSpec): string | undefined {
  const value = param.default;
  if (value === undefined) return undefined;
  if (value === null) return 'none';
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  if (typeof value === 'string' && (baseType(param.type).kind === 'string' || baseType(param.type).kind === 'columns')) return JSON.stringify(value);
  if (typeof value === 'object') return value.kind === 'call' ? value.name : '{…}';
  return String(value);
}

/** The type under `optional`. */
export function baseType(type: ArgType): ArgType {
  return type.kind === 'optional' ? baseType(type.of) : type;
}

