/**
 * The syntax tree. Every node knows its source range as offsets; nothing here
 * knows about lines, LSP or the file system. Nodes that the parser could not
 * read are `Missing` so later phases see a complete tree.
 */

export interface TextRange {
  pos: number;
  end: number;
}

export interface Identifier extends TextRange {
  kind: 'Identifier';
  text: string;
}

export interface NumberLiteral extends TextRange {
  kind: 'Number';
  value: number;
  text: string;
}

export interface StringLiteral extends TextRange {
  kind: 'String';
  value: string;
}

export interface BooleanLiteral extends TextRange {
  kind: 'Boolean';
  value: boolean;
}

export interface NoneLiteral extends TextRange {
  kind: 'None';
}

/** A bare name: a tensor, or an enumeration value such as `relu`. */
export interface NameExpression extends TextRange {
  kind: 'Name';
  name: Identifier;
}

export interface ListExpression extends TextRange {
  kind: 'List';
  elements: Expression[];
  /** False when the closing bracket is missing. */
  closed: boolean;
}

/** `(a, b)`; also `(x)`, which is a parenthesised expression. */
export interface TupleExpression extends TextRange {
  kind: 'Tuple';
  elements: Expression[];
  /** True when the elements were separated by commas, `(x,)` included. */
  hasComma: boolean;
  /** False when the closing parenthesis is missing. */
  closed: boolean;
}

/** `key: value` in a dict; the key is a name or a string. */
export interface DictEntry extends TextRange {
  kind: 'DictEntry';
  key: Identifier | StringLiteral;
  /** `Missing` when the colon or the value is not there. */
  value: Expression;
}

/** `{key: value, ...}`: settings per input or output, keyed by their names. */
export interface DictExpression extends TextRange {
  kind: 'Dict';
  entries: DictEntry[];
  /** False when the closing brace is missing. */
  closed: boolean;
}

export interface Argument extends TextRange {
  kind: 'Argument';
  /** Present for keyword arguments. */
  name?: Identifier;
  value: Expression;
}

export interface CallExpression extends TextRange {
  kind: 'Call';
  callee: Identifier;
  args: Argument[];
  /** Range of the parentheses and everything between them. */
  argsRange: TextRange;
  /** False when the closing parenthesis is missing. */
  closed: boolean;
}

export interface BinaryExpression extends TextRange {
  kind: 'Binary';
  operator: '+' | '-' | '*' | '/';
  left: Expression;
  right: Expression;
}

export interface UnaryExpression extends TextRange {
  kind: 'Unary';
  operator: '+' | '-';
  operand: Expression;
}

export interface MissingExpression extends TextRange {
  kind: 'Missing';
}

export type Expression =
  | NumberLiteral
  | StringLiteral
  | BooleanLiteral
  | NoneLiteral
  | NameExpression
  | ListExpression
  | TupleExpression
  | DictExpression
  | CallExpression
  | BinaryExpression
  | UnaryExpression
  | MissingExpression;

/** `head -> Layer(...) -> Layer(...)`. */
export interface Pipeline extends TextRange {
  kind: 'Pipeline';
  head: Expression;
  steps: CallExpression[];
}

export interface InputStatement extends TextRange {
  kind: 'InputStatement';
  keyword: TextRange;
  name?: Identifier;
  shape: Expression;
}

export interface AssignStatement extends TextRange {
  kind: 'AssignStatement';
  name: Identifier;
  value: Pipeline;
}

export interface ExpressionStatement extends TextRange {
  kind: 'ExpressionStatement';
  value: Pipeline;
}

export interface OutputStatement extends TextRange {
  kind: 'OutputStatement';
  keyword: TextRange;
  values: Pipeline[];
}

export type Statement = InputStatement | AssignStatement | ExpressionStatement | OutputStatement;

export interface ModelDeclaration extends TextRange {
  kind: 'ModelDeclaration';
  keyword: TextRange;
  name?: Identifier;
  statements: Statement[];
  /** Range between the braces, braces included; empty when the body is missing. */
  body: TextRange;
}

export interface Setting extends TextRange {
  kind: 'Setting';
  key: Identifier;
  value: Expression;
}

export interface TrainDeclaration extends TextRange {
  kind: 'TrainDeclaration';
  keyword: TextRange;
  models: Identifier[];
  settings: Setting[];
  body: TextRange;
}

export type Declaration = ModelDeclaration | TrainDeclaration;

export interface SourceFile extends TextRange {
  kind: 'SourceFile';
  text: string;
  declarations: Declaration[];
  comments: TextRange[];
}

export type Node =
  | SourceFile
  | Declaration
  | Statement
  | Setting
  | Pipeline
  | Argument
  | DictEntry
  | Expression
  | Identifier;

/**
 * Calls `visit` on each child node of `node`, in source order, and stops at
 * the first call that returns something other than undefined, which it
 * returns (as the TypeScript compiler's `forEachChild` does). Children are
 * the fields that hold nodes; plain ranges (keywords, bodies, the parentheses
 * of a call, comments) are not nodes. Written out per kind, so that a new
 * kind does not compile until it is listed here.
 */
export function forEachChild<T>(node: Node, visit: (child: Node) => T | undefined): T | undefined {
  switch (node.kind) {
    case 'SourceFile':
      return each(node.declarations, visit);
    case 'ModelDeclaration':
      return optional(node.name, visit) ?? each(node.statements, visit);
    case 'TrainDeclaration':
      return each(node.models, visit) ?? each(node.settings, visit);
    case 'InputStatement':
      return optional(node.name, visit) ?? visit(node.shape);
    case 'AssignStatement':
      return visit(node.name) ?? visit(node.value);
    case 'ExpressionStatement':
      return visit(node.value);
    case 'OutputStatement':
      return each(node.values, visit);
    case 'Setting':
      return visit(node.key) ?? visit(node.value);
    case 'Pipeline':
      return visit(node.head) ?? each(node.steps, visit);
    case 'Argument':
      return optional(node.name, visit) ?? visit(node.value);
    case 'Call':
      return visit(node.callee) ?? each(node.args, visit);
    case 'List':
    case 'Tuple':
      return each(node.elements, visit);
    case 'Dict':
      return each(node.entries, visit);
    case 'DictEntry':
      return visit(node.key) ?? visit(node.value);
    case 'Binary':
      return visit(node.left) ?? visit(node.right);
    case 'Unary':
      return visit(node.operand);
    case 'Name':
      return visit(node.name);
    case 'Identifier':
    case 'Number':
    case 'String':
    case 'Boolean':
    case 'None':
    case 'Missing':
      return undefined;
    default:
      return unlisted(node);
  }
}

function each<T>(nodes: readonly Node[], visit: (child: Node) => T | undefined): T | undefined {
  for (const child of nodes) {
    const result = visit(child);
    if (result !== undefined) return result;
  }
  return undefined;
}

function optional<T>(child: Node | undefined, visit: (child: Node) => T | undefined): T | undefined {
  return child ? visit(child) : undefined;
}

/** A kind missing from `forEachChild`'s switch fails to compile here. */
function unlisted(node: never): undefined {
  void node;
  return undefined;
}
