/**
 * The HTML of the extension's webview pages: the training panel and the
 * graph view. The client fills in the webview URIs; this module is plain
 * string work so that the client (Node) and the tests can call it, and it
 * imports nothing.
 */

export interface PageHtmlOptions {
  /** The page's script (`dist/webview/panel.js`, `graph.js`) as a webview URI. */
  scriptUri: string;
  /** Its style sheet (`dist/webview/panel.css`, `graph.css`) as a webview URI. */
  styleUri: string;
  /** A fresh random value per render: only the page's own script runs. */
  nonce: string;
  /** The webview's `cspSource`, from which the style sheet loads. */
  cspSource: string;
}

/** The training panel's options. */
export type PanelHtmlOptions = PageHtmlOptions;

const escapeAttribute = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * A page under a strict Content-Security-Policy: its nonce'd script only,
 * styles from the extension's folder (and, with `styleNonce`, `<style>`
 * elements that carry the nonce, given in a csp-nonce meta tag), images
 * from there and data: URIs; no inline styles, no eval.
 */
function page(options: PageHtmlOptions, title: string, body: string, styleNonce: boolean): string {
  const { scriptUri, styleUri, nonce, cspSource } = options;
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}${styleNonce ? ` 'nonce-${nonce}'` : ''}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
${styleNonce ? `  <meta property="csp-nonce" content="${escapeAttribute(nonce)}">\n` : ''}  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeAttribute(styleUri)}">
  <title>${title}</title>
</head>
<body>
${body}  <script nonce="${escapeAttribute(nonce)}" src="${escapeAttribute(scriptUri)}"></script>
</body>
</html>
`;
}

/**
 * The training panel. Styles need no 'unsafe-inline': the toolkit's
 * components style themselves through adopted style sheets, and uPlot and
 * the page set styles through the CSSOM, neither of which CSP governs. The
 * one `<style>` element the toolkit adds (its focus-visible probe) carries
 * the nonce it reads from the csp-nonce meta tag. The Chromium test checks
 * that no directive is violated.
 */
export function renderPanelHtml(options: PanelHtmlOptions): string {
  return page(options, 'Training', PANEL_BODY, true);
}

/**
 * The graph view, under the same policy without the style nonce. ELK's
 * bundled build lays out in the page's own thread (no worker, no eval),
 * and the page sets positions as SVG attributes and d3-zoom its transform, neither of which CSP governs. The PNG export draws
 * the SVG through a data: image, hence `img-src data:`.
 */
export function renderGraphHtml(options: PageHtmlOptions): string {
  return page(options, 'Model graph', GRAPH_BODY, false);
}

const PANEL_BODY = `  <header id="header">
    <div class="title"><span id="model">Waiting for the run</span> <span id="status" class="status"></span></div>
    <dl class="facts">
      <div><dt>Backend</dt><dd id="backend">–</dd></div>
      <div><dt>Params</dt><dd id="params">–</dd></div>
      <div><dt>Train / validation</dt><dd id="sizes">–</dd></div>
      <div><dt>Epoch</dt><dd id="epoch">–</dd></div>
      <div id="member-fact" hidden><dt>Member</dt><dd id="member">–</dd></div>
      <div><dt>Samples/s</dt><dd id="speed">–</dd></div>
      <div><dt>Time left</dt><dd id="time-left">–</dd></div>
      <div><dt>Best epoch</dt><dd id="best">–</dd></div>
      <div id="ensemble-fact" hidden><dt>Ensemble accuracy</dt><dd id="ensemble-accuracy">–</dd></div>
      <div id="backend-folder-fact" class="wide" hidden><dt>Backend loaded from</dt><dd id="backend-folder" class="path">–</dd></div>
    </dl>
    <div class="actions">
      <vscode-button id="stop" appearance="secondary" disabled>Stop</vscode-button>
      <vscode-button id="save-model" appearance="secondary" disabled>Save model as…</vscode-button>
      <vscode-button id="open-folder" appearance="secondary" disabled>Open run folder</vscode-button>
    </div>
  </header>
  <div id="warnings" class="warnings" role="status" hidden></div>
  <div id="failure" class="failure" role="alert" hidden>
    <strong>Training failed.</strong> <span id="failure-message"></span>
    <a id="failure-location" href="#" hidden></a>
  </div>
  <vscode-panels id="tabs" aria-label="Training views">
    <vscode-panel-tab id="tab-charts">Charts</vscode-panel-tab>
    <vscode-panel-tab id="tab-epochs">Epochs</vscode-panel-tab>
    <vscode-panel-tab id="tab-summary">Summary</vscode-panel-tab>
    <vscode-panel-tab id="tab-data">Data</vscode-panel-tab>
    <vscode-panel-tab id="tab-evaluation">Evaluation</vscode-panel-tab>
    <vscode-panel-tab id="tab-boundary" hidden>Boundary</vscode-panel-tab>
    <vscode-panel-tab id="tab-layers">Layers</vscode-panel-tab>
    <vscode-panel-tab id="tab-runs">Runs</vscode-panel-tab>
    <vscode-panel-view id="view-charts">
      <div class="tab">
        <div class="toolbar">
          <label class="smoothing">Smoothing
            <input id="smoothing-range" type="range" min="0" max="0.99" step="0.01" value="0.6" aria-label="Smoothing of the batch line">
            <input id="smoothing" type="number" min="0" max="0.99" step="0.01" value="0.6" aria-label="Smoothing">
          </label>
          <vscode-checkbox id="log-scale">Log scale</vscode-checkbox>
          <span class="spacer"></span>
          <vscode-button id="export-png" appearance="secondary" disabled>Export PNG</vscode-button>
          <vscode-button id="export-svg" appearance="secondary" disabled>Export SVG</vscode-button>
          <vscode-button id="export-csv" appearance="secondary" disabled>Export CSV</vscode-button>
        </div>
        <p id="ensemble" class="ensemble" hidden></p>
        <div id="charts" class="charts"></div>
      </div>
    </vscode-panel-view>
    <vscode-panel-view id="view-epochs"><vscode-data-grid id="epochs" aria-label="Epochs"></vscode-data-grid></vscode-panel-view>
    <vscode-panel-view id="view-summary"><div class="summary"><vscode-data-grid id="summary-grid" aria-label="Model summary" hidden></vscode-data-grid><pre id="summary">No summary yet.</pre></div></vscode-panel-view>
    <vscode-panel-view id="view-data">
      <div class="tab" id="data">
        <p id="data-empty" class="empty">What the model trains on appears when the run starts.</p>
        <section id="data-labels" hidden><h3>Label distribution</h3><table id="label-counts" class="bars"></table></section>
        <section id="data-images" hidden><h3>Training samples</h3><div class="samples" id="samples"></div></section>
      </div>
    </vscode-panel-view>
    <vscode-panel-view id="view-evaluation">
      <div class="tab" id="evaluation-tab">
        <p id="evaluation-empty" class="empty">The evaluation appears when a classifier finishes training.</p>
        <div id="evaluation" hidden>
          <p id="evaluation-caption"></p>
          <h3>Confusion matrix</h3>
          <div class="scroll"><table id="confusion" class="confusion"></table></div>
          <h3>Per-class accuracy</h3>
          <table id="class-accuracy" class="bars"></table>
          <h3>Worst-classified samples</h3>
          <p id="worst-empty" class="empty">Every sample was classified correctly.</p>
          <div id="worst" class="samples"></div>
        </div>
      </div>
    </vscode-panel-view>
    <vscode-panel-view id="view-boundary">
      <div class="tab" id="boundary-tab">
        <div class="toolbar">
          <label class="smoothing">Epoch
            <input id="boundary-epoch" type="range" min="0" max="0" step="1" value="0" aria-label="Epoch of the decision boundary shown">
          </label>
          <span id="boundary-epoch-label"></span>
        </div>
        <div id="boundary-views" class="boundary-views"></div>
      </div>
    </vscode-panel-view>
    <vscode-panel-view id="view-layers">
      <div class="tab layers-tab" id="layers-tab">
        <p id="layers-empty" class="empty">Each layer's weights and activations appear after the first epoch.</p>
        <div id="layers" hidden>
          <div class="toolbar">
            <label id="layers-member-label" hidden>Model <select id="layers-member" aria-label="Model or member"></select></label>
            <label>Layer <select id="layers-layer" aria-label="Layer"></select></label>
            <label class="layers-epoch">Epoch <input id="layers-epoch" type="range" min="1" max="1" step="1" value="1" aria-label="Epoch of the histograms"> <span id="layers-epoch-value"></span></label>
          </div>
          <p class="layers-legend">Bands over the epochs, darker inwards: min–max, then the share of values a normal distribution has within ±1.5σ, ±1σ and ±0.5σ (the 7–93, 16–84 and 31–69 percentiles), the line the median. Beside them, the histogram at the chosen epoch.</p>
          <section id="layers-dead" class="layers-dead" hidden><h4 class="dead-text"></h4><canvas></canvas></section>
          <div id="layers-series" class="layers-series"></div>
        </div>
      </div>
    </vscode-panel-view>
    <vscode-panel-view id="view-runs">
      <div class="tab">
        <p id="runs-empty" class="empty">No earlier runs of this model.</p>
        <div id="runs-chart" class="charts"></div>
        <div class="scroll"><table id="runs-table" class="runs"></table></div>
      </div>
    </vscode-panel-view>
  </vscode-panels>
`;

const GRAPH_BODY = `  <header id="header">
    <div class="title"><span id="model">Waiting for the model</span> <span id="facts" class="facts"></span></div>
    <label id="model-choice" hidden>Model <select id="models" aria-label="Model"></select></label>
    <span id="problems" class="problems" role="status"></span>
    <span class="spacer"></span>
    <button id="fit" type="button" disabled>Fit</button>
    <button id="export-svg" type="button" disabled>Export SVG</button>
    <button id="export-png" type="button" disabled>Export PNG</button>
  </header>
  <p id="empty" class="empty" hidden>This file has no model.</p>
  <svg id="graph" role="img" aria-label="Model graph" xmlns="http://www.w3.org/2000/svg">
    <defs>
      <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
        <path class="arrowhead" d="M 0 0 L 10 5 L 0 10 z"></path>
      </marker>
    </defs>
    <g id="viewport"><g id="edges"></g><g id="nodes"></g></g>
  </svg>
`;
