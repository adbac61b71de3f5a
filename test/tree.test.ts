/**
 * The tree's children: `forEachChild` lists, per kind, the fields that hold
 * nodes. Held against a walk over every field of every node, on the
 * examples, the fixtures and their broken prefixes, so that a field left out
 * of `forEachChild` fails here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../core';
import { forEachChild, type Node } from '../core/syntax/tree';
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
      assert.ok(index === 0 || listed[index - 1]!.pos <= child.pos, `${where}: ${describeNode(child)} before its elder sibling`);
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
