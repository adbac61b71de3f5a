/**
 * The command ids that more than one side names: the VS Code client
 * registers the editor commands and package.json contributes them, the
 * language server's code lenses run them, and the client asks the server
 * for its own command. The core's lenses name an action, never an id; the
 * server maps the action to one of these.
 *
 * Invariant: this module imports nothing.
 */

/** Show Model Summary: a model's Keras-style summary beside the editor. Argument: the model's name (optional). */
export const SHOW_SUMMARY_COMMAND = 'layerwise.showSummary';

/** Show Model Graph: the graph view beside the editor, on a model of the active .net file. Argument: the model's name (optional; the model at the cursor otherwise). */
export const SHOW_GRAPH_COMMAND = 'layerwise.showGraph';

/** Train Model: a train block of the active .net file. Arguments: the block's index and its model names (both optional). */
export const TRAIN_COMMAND = 'layerwise.train';

/** Stop Training: the running run of the active file's block, or the one the user picks. */
export const STOP_TRAINING_COMMAND = 'layerwise.stopTraining';

/** Show Last Run: a model's run in the training panel. Arguments: document uri, model, run folder (the run lens's form). */
export const SHOW_RUN_COMMAND = 'layerwise.showRun';

/** Install Native Backend: @tensorflow/tfjs-node or -gpu into the per-user folder. Argument: true for the GPU package (optional; asked otherwise). */
export const INSTALL_NATIVE_COMMAND = 'layerwise.installNativeBackend';

/** The commands the extension contributes (package.json's `contributes.commands`), in its order. */
export const EDITOR_COMMANDS = [SHOW_SUMMARY_COMMAND, SHOW_GRAPH_COMMAND, TRAIN_COMMAND, STOP_TRAINING_COMMAND, SHOW_RUN_COMMAND, INSTALL_NATIVE_COMMAND] as const;

/** The server's command (`workspace/executeCommand`): a model's summary as text. Arguments: document uri, model (optional). */
export const SERVER_SUMMARY_COMMAND = 'layerwise.server.summary';

/** The commands the language server executes. */
export const SERVER_COMMANDS = [SERVER_SUMMARY_COMMAND] as const;
