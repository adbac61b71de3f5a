/**
 * Signature help: the arguments of the call the cursor is in (a layer in a
 * model; an optimizer, schedule, callback or data source in a train block),
 * with the one being typed marked. The parser keeps a call that is not
 * closed yet, with its arguments so far, so it works there too.
 */
import type { Analysis } from '../analysis';
import type { ParamSpec, Signature } from '../catalog/types';
import type { Token } from '../syntax/scanner';
import { calleeSignature, cursorContext, type OpenBracket } from './locate';
import { formatDefault, formatParamType } from '../catalog/describe';

export interface SignatureParameter {
  name: string;
  /** Where the parameter stands in its signature's label: start and end within the label's text. */
  span: [number, number];
  /** Markdown. */
  documentation: string;
}

export interface SignatureHelp {
  /** The call's name and its parameters with their defaults: `Dense(units, activation=linear, …)`. */
  label: string;
  /** Markdown. */
  documentation: string;
  parameters: SignatureParameter[];
  /** The parameter being typed, an index into `parameters`; undefined when none is. */
  activeParameter: number | undefined;
}

export function getSignatureHelp(analysis: Analysis, offset: number): SignatureHelp | undefined {
  const context = cursorContext(analysis, offset);
  if (!context) return undefined;
  // The innermost call; a list or tuple inside it is one of its argument values.
  for (let index = context.brackets.length - 1; index >= 0; index--) {
    const bracket = context.brackets[index]!;
    if (!bracket.callee) continue;
    const signature = calleeSignature(context.scope, bracket.callee.text);
    if (!signature) return undefined;
    const word = index === context.brackets.length - 1 ? context.word : undefined;
    return { ...signatureLabel(signature), documentation: signature.doc, activeParameter: activeParameter(signature, bracket, word) };
  }
  return undefined;
}

/** `Dense(units, activation=linear, use_bias=true, …)`, with each parameter's place in the label. */
function signatureLabel(signature: Signature): { label: string; parameters: SignatureParameter[] } {
  let label = `${signature.name}(`;
  const parameters = signature.params.map((param, index): SignatureParameter => {
    if (index > 0) label += ', ';
    const fallback = formatDefault(param);
    const start = label.length;
    label += fallback === undefined ? param.name : `${param.name}=${fallback}`;
    return { name: param.name, span: [start, label.length], documentation: parameterDocumentation(param) };
  });
  label += ')';
  return { label, parameters };
}

function parameterDocumentation(param: ParamSpec): string {
  const fallback = formatDefault(param);
  return `\`${formatParamType(param.type)}\`${fallback === undefined ? ', required' : ''}: ${param.doc}`;
}

/**
 * The argument being typed: the keyword once `name=` is written, else a
 * keyword not yet given that the typed word begins, else the position among
 * the positional arguments; none when the cursor is past them all.
 */
function activeParameter(signature: Signature, bracket: OpenBracket, word: Token | undefined): number | undefined {
  const keyword = bracket.keyword;
  if (keyword !== undefined) {
    const index = signature.params.findIndex((param) => param.name === keyword);
    return index >= 0 ? index : undefined;
  }
  const positionalSoFar = bracket.previous.every((previous) => previous === undefined);
  const position = bracket.previous.length;
  if (word && bracket.typed === 'nothing') {
    const given = new Set(bracket.previous.map((previous, index) => previous ?? signature.params[index]?.name));
    const index = signature.params.findIndex((param) => param.name.startsWith(word.text) && !given.has(param.name));
    if (index >= 0) return index;
  }
  return positionalSoFar && position < signature.positional ? position : undefined;
}
