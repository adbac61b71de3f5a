/**
 * The arguments of Show Last Run (`layerwise.showRun`), which two callers
 * give in two forms: the run lens (from the language server) passes the
 * document's uri, the model and the run folder, in that order; the
 * status-bar item passes one object naming the train block's run by its
 * key. Command arguments come from outside the extension's types (a lens,
 * a keybinding, another extension), so each is checked here.
 *
 * Invariant: no vscode import, so that the tests read the arguments as the
 * command does.
 */

/** What Show Last Run is asked to show: a live run by its key, or a model's run of a document (one folder, or the newest). */
export interface ShowRunTarget {
  /** The key of a train block's run (`panelKey`), from the status-bar item. */
  key?: string;
  uri?: string;
  model?: string;
  dir?: string;
}

/** The status-bar item's form: one object, so that no position can be dropped on the way. */
interface KeyArgument {
  key: string;
}

/** The arguments the status-bar item gives Show Last Run for the run of `key`. */
export function statusItemArguments(key: string): [KeyArgument] {
  return [{ key }];
}

/** Show Last Run's arguments, in either form, as a target; anything not a string where one belongs is left out. */
export function showRunTarget(args: readonly unknown[]): ShowRunTarget {
  const [first, model, dir] = args;
  if (isKeyArgument(first)) return { key: first.key };
  const target: ShowRunTarget = {};
  if (typeof first === 'string') target.uri = first;
  if (typeof model === 'string') target.model = model;
  if (typeof dir === 'string') target.dir = dir;
  return target;
}

function isKeyArgument(value: unknown): value is KeyArgument {
  return typeof value === 'object' && value !== null && typeof (value as { key?: unknown }).key === 'string';
}
