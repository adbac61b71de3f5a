/**
 * `layerwise graph` as a user runs it: on every example, the JSON's nodes
 * and edges against `check --json`'s layers, and DOT that parses (balanced
 * braces, every edge's ends declared) and that Graphviz's `dot` renders
 * when it is installed; error nodes red; usage and missing models.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { JsonGraph } from '../cli/graph';
import { cliPath, projectExamples } from './support';
import { byName, checkedLayers, checkJson, exampleFiles } from './graphSupport';

const scratch = mkdtempSync(join(tmpdir(), 'layerwise-graph-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const dotBinary = spawnSync('dot', ['-V'], { encoding: 'utf8' }).status === 0;

/** The DOT's node declarations and edges, with its braces checked balanced outside strings and labels. */
function parseDot(text: string): { declared: Set<string>; edges: [string, string][] } {
  let depth = 0;
  let angle = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (angle > 0) {
      if (c === '<') angle++;
      else if (c === '>') angle--;
    } else if (c === '"') inString = true;
    else if (c === '<') angle++;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      assert.ok(depth >= 0, 'a } before its {');
    }
  }
  assert.equal(depth, 0, 'braces balance');
  assert.equal(angle, 0, 'labels close');
  assert.equal(inString, false, 'strings close');
  const declared = new Set([...text.matchAll(/^ {2}"([^"]+)" \[label=/gm)].map((match) => match[1]!));
  const edges = [...text.matchAll(/^ {2}"([^"]+)" -> "([^"]+)"/gm)].map((match): [string, string] => [match[1]!, match[2]!]);
  return { declared, edges };
}

describe('layerwise graph', () => {
  it('prints every example model\'s graph as JSON with check --json\'s layers, shapes, params and lines', () => {
    for (const file of exampleFiles()) {
      const checked = checkJson(file);
      for (const model of checked.models) {
        const result = run('graph', file, '--model', model.name, '--json');
        assert.equal(result.status, checked.diagnostics.some((d) => d.severity === 'error') ? 1 : 0, `${file}: ${result.stderr}`);
        const graph = JSON.parse(result.stdout) as JsonGraph;
        assert.equal(graph.model, model.name);
        const connected = graph.nodes.filter((node) => node.connected);
        assert.deepEqual(connected.map((node) => [node.name, node.type, node.outputShape ?? undefined, node.params ?? undefined, node.line]).sort(byName), checkedLayers(model), `${file} ${model.name}`);
        const ids = new Set(graph.nodes.map((node) => node.id));
        assert.equal(ids.size, graph.nodes.length, 'ids are unique');
        assert.ok(graph.edges.every((edge) => ids.has(edge.from) && ids.has(edge.to)));
        assert.deepEqual(graph.params, model.params);
      }
    }
  });

  it('prints DOT that parses, one node per layer and every edge\'s ends declared, for every example', () => {
    for (const file of exampleFiles()) {
      for (const model of checkJson(file).models) {
        const json = JSON.parse(run('graph', file, '--model', model.name).stdout) as JsonGraph;
        const result = run('graph', file, '--model', model.name, '--dot');
        assert.match(result.stdout, /^digraph "[^"]+" \{\n/);
        const dot = parseDot(result.stdout);
        assert.deepEqual([...dot.declared].sort(), json.nodes.map((node) => node.id).sort(), file);
        assert.deepEqual(dot.edges, json.edges.map((edge) => [edge.from, edge.to]), file);
        for (const node of json.nodes.filter((n) => n.outputShape)) assert.ok(result.stdout.includes(node.outputShape!), `${file}: ${node.name}'s shape in its label`);
      }
    }
  });

  it('draws residual.net\'s inputs and merges, and mistakes.net\'s error nodes red with their messages', () => {
    const residual = JSON.parse(run('graph', join(projectExamples, 'residual.net')).stdout) as JsonGraph;
    assert.deepEqual(residual.nodes.filter((node) => node.type === 'Input').map((node) => [node.name, node.outputShape, node.line]), [['features', '(None, 64)', 5], ['extra', '(None, 8)', 6]]);
    const merges = residual.nodes.filter((node) => node.type === 'Add' || node.type === 'Concatenate');
    assert.deepEqual(merges.map((node) => [node.type, node.outputShape, residual.edges.filter((edge) => edge.to === node.id).length]), [['Add', '(None, 128)', 2], ['Concatenate', '(None, 136)', 2]]);

    const mistakes = join(projectExamples, 'errors', 'mistakes.net');
    const graph = JSON.parse(run('graph', mistakes).stdout) as JsonGraph;
    const dot = run('graph', mistakes, '--dot');
    assert.equal(dot.status, 1);
    const errors = graph.nodes.filter((node) => node.problems.some((problem) => problem.severity === 'error'));
    assert.ok(errors.length >= 7);
    for (const node of errors) {
      const declaration = dot.stdout.split('\n').find((line) => line.startsWith(`  "${node.id}" [`))!;
      assert.match(declaration, /color="#d32f2f"/, node.name);
    }
    const clean = graph.nodes.filter((node) => node.problems.length === 0 && node.connected);
    for (const node of clean) assert.doesNotMatch(dot.stdout.split('\n').find((line) => line.startsWith(`  "${node.id}" [`))!, /#d32f2f/);
  });

  it('escapes markup in names inside the labels', () => {
    const file = join(scratch, 'names.net');
    writeFileSync(file, 'model Q {\n  input x: [4]\n  x -> Dense(2, name="a<b>&c")\n}\n');
    const result = run('graph', file, '--dot');
    assert.equal(result.status, 0, result.stderr);
    assert.ok(result.stdout.includes('a&lt;b&gt;&amp;c'));
    assert.ok(!result.stdout.includes('a<b>'));
    parseDot(result.stdout);
  });

  // Under CI (.ci/run installs Graphviz) a missing dot fails the test instead.
  it('renders with Graphviz\'s dot when it is installed', { skip: dotBinary || process.env['CI'] ? false : 'Graphviz dot is not installed (apt-get install graphviz)' }, () => {
    for (const file of exampleFiles()) {
      for (const model of checkJson(file).models) {
        const source = run('graph', file, '--model', model.name, '--dot').stdout;
        const rendered = spawnSync('dot', ['-Tsvg'], { input: source, encoding: 'utf8' });
        assert.equal(rendered.status, 0, `${file} ${model.name}: ${rendered.stderr}`);
        assert.equal(rendered.stderr, '', `${file} ${model.name}`);
        assert.match(rendered.stdout, /<svg/);
      }
    }
  });

  it('says which models a file has when the one asked for is missing, and refuses both formats at once', () => {
    const file = join(projectExamples, 'residual.net');
    const missing = run('graph', file, '--model', 'Nope');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /has no model 'Nope' \(models: Residual\)/);
    const both = run('graph', file, '--json', '--dot');
    assert.equal(both.status, 2);
    assert.match(both.stderr, /one of --json and --dot/);
    assert.equal(run('graph').status, 2);
  });
});
