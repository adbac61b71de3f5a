/**
 * The tree. Its children: `forEachChild` lists, per kind, the fields that
 * hold nodes, held against a walk over every field of every node, on the
 * examples, the fixtures and their broken prefixes, so that a field left out
 * of `forEachChild` fails here. Its recovery: what broken text keeps, for the
 * features that read the tree while the user types.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../core';
import { forEachChild, type CallExpression, type ModelDeclaration, type Node, type Pipeline } from '../core/syntax/tree';
import { allNetTexts, cutPoints } from './support';

/** The child nodes found by looking at every field: any object with a kind and a position, in source order. */
function reflectedChildren(node: Node): Node[] {
  const children: Node[] = [];
  for (const value of Object.values(node)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item && typeof item === 'object' && 'kind' in item && 'pos' in item) children.push(item as Node);
    }
  }
  return children.sort((a, b) => a.pos - b.pos);
}

function listedChildren(node: Node): Node[] {
  const children: Node[] = [];
  forEachChild(node, (child) => {
    children.push(child);
  });
  return children;
}

/** Checks every node under `root`; returns how many there were. */
function assertChildrenListed(root: Node, where: string): number {
  const stack: Node[] = [root];
  let count = 0;
  while (stack.length) {
    const node = stack.pop()!;
    count++;
    const listed = listedChildren(node);
    assert.deepEqual(listed.map(describeNode), reflectedChildren(node).map(describeNode), `${where}: children of ${describeNode(node)}`);
    listed.forEach((child, index) => {
      assert.ok(index === 0 || listed[index - 1]!.end <= child.pos, `${where}: ${describeNode(child)} before its elder sibling`);
    });
    stack.push(...listed);
  }
  return count;
}

function describeNode(node: Node): string {
  return `${node.kind}@${node.pos}-${node.end}`;
}

describe('forEachChild', () => {
  const texts = allNetTexts();

  it('reaches every node a walk over all fields reaches, in source order, in every example and fixture', () => {
    let nodes = 0;
    for (const [index, text] of texts.entries()) nodes += assertChildrenListed(analyze(text).file, `text ${index}`);
    assert.ok(nodes > 1000, `only ${nodes} nodes`);
  });

  it('does so in the broken trees of their prefixes', () => {
    for (const [index, text] of texts.entries()) {
      for (const cut of cutPoints(text)) assertChildrenListed(analyze(text.slice(0, cut)).file, `text ${index}[0..${cut}]`);
    }
  });

  it('stops at the first child for which the visitor returns a value, and returns it', () => {
    const call = analyze('model M {\n  input [4]\n  Dense(3, activation=relu)\n}\n').file;
    const visited: string[] = [];
    const found = forEachChild(call, (declaration) => forEachChild(declaration, (child) => {
      visited.push(child.kind);
      return child.kind === 'InputStatement' ? child : undefined;
    }));
    assert.equal(found?.kind, 'InputStatement');
    assert.deepEqual(visited, ['Identifier', 'InputStatement']);
  });
});

describe('the tree of broken text', () => {
  /** The pipeline of the model's statement at `index`. */
  const pipeline = (text: string, index: number): Pipeline => {
    const statement = (analyze(text).file.declarations[0] as ModelDeclaration).statements[index]!;
    assert.ok(statement.kind === 'AssignStatement' || statement.kind === 'ExpressionStatement', statement.kind);
    return statement.value;
  };
  const syntaxErrors = (text: string): number[] => analyze(text).diagnostics.filter((d) => d.code === 'unexpected-token').map((d) => d.pos);

  it('marks lists and tuples whose closer is missing', () => {
    const closed = pipeline('model M {\n  input [4]\n  a = (x, y) -> Add()\n  Reshape([2, 2])\n}\n', 1);
    const open = pipeline('model M {\n  input [4]\n  a = (x, y\n  Reshape([2, 2\n}\n', 1);
    assert.deepEqual([closed.head.kind, closed.head.kind === 'Tuple' && closed.head.closed], ['Tuple', true]);
    assert.deepEqual([open.head.kind, open.head.kind === 'Tuple' && open.head.closed], ['Tuple', false]);
    const list = (text: string): unknown => {
      const call = pipeline(text, 2).head as CallExpression;
      const value = call.args[0]!.value;
      return value.kind === 'List' && [value.elements.length, value.closed];
    };
    assert.deepEqual(list('model M {\n  input [4]\n  a = (x, y) -> Add()\n  Reshape([2, 2])\n}\n'), [2, true]);
    assert.deepEqual(list('model M {\n  input [4]\n  a = (x, y) -> Add()\n  Reshape([2, 2\n}\n'), [2, false]);
  });

  it('reads the body of a header with a stray token before its brace, reporting the token once', () => {
    const text = 'model M x {\n  input [4]\n  Dense(2)\n}\n\ntrain M y {\n  epochs = 3\n}\n';
    const [model, train] = analyze(text).file.declarations;
    assert.equal(model?.kind === 'ModelDeclaration' && model.statements.length, 2);
    assert.equal(train?.kind === 'TrainDeclaration' && train.settings.length, 1);
    assert.deepEqual(syntaxErrors(text), [text.indexOf('x {'), text.indexOf('y {')]);
  });

  it('reads a pipeline on past stray text after a step, when the next line goes on with ->', () => {
    const text = 'model M {\n  input x: [4]\n  a = x -> Dense(4) ]\n    -> Dense(3)\n    -> Dense(2)\n  b = a\n}\n';
    assert.deepEqual(pipeline(text, 1).steps.map((step) => step.callee.text), ['Dense', 'Dense', 'Dense']);
    assert.deepEqual(syntaxErrors(text), [text.indexOf(') ]') + 2]);
    // Stray text with no `->` after it still ends the statement there.
    const alone = 'model M {\n  input x: [4]\n  a = x -> Dense(4) ]\n  b = a -> Dense(2)\n}\n';
    assert.deepEqual(pipeline(alone, 1).steps.map((step) => step.callee.text), ['Dense']);
    assert.deepEqual(pipeline(alone, 2).steps.map((step) => step.callee.text), ['Dense']);
    // A comma between outputs is no stray text.
    const outputs = 'model M {\n  input x: [4]\n  output x -> Dense(4), x\n    -> Dense(2)\n}\n';
    const output = (analyze(outputs).file.declarations[0] as ModelDeclaration).statements[1]!;
    assert.equal(output.kind, 'OutputStatement');
    assert.deepEqual(output.kind === 'OutputStatement' && output.values.map((value) => value.steps.length), [1, 1]);
    assert.deepEqual(syntaxErrors(outputs), []);
  });
});
