/**
 * The training panel's HTML. The client fills in the webview URIs; this
 * module is plain string work so that the client (Node) and the tests can
 * call it, and it imports nothing.
 */

export interface PanelHtmlOptions {
  /** `dist/webview/panel.js` as a webview URI. */
  scriptUri: string;
  /** `dist/webview/panel.css` as a webview URI. */
  styleUri: string;
  /** A fresh random value per render: only the page's own script runs. */
  nonce: string;
  /** The webview's `cspSource`, from which the style sheet loads. */
  cspSource: string;
}

const escapeAttribute = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The page with a strict Content-Security-Policy. Styles need no
 * 'unsafe-inline': the toolkit's components style themselves through
 * adopted style sheets, and uPlot and the page set styles through the CSSOM,
 * neither of which CSP governs. The one `<style>` element the toolkit adds
 * (its focus-visible probe) carries the nonce it reads from the csp-nonce
 * meta tag. The Chromium test checks that no directive is violated.
 */
export function renderPanelHtml(options: PanelHtmlOptions): string {
  const { scriptUri, styleUri, nonce, cspSource } = options;
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
  <meta property="csp-nonce" content="${escapeAttribute(nonce)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeAttribute(styleUri)}">
  <title>Training</title>
</head>
<body>
  <header id="header">
    <div class="title"><span id="model">Waiting for the run</span> <span id="status" class="status"></span></div>
    <dl class="facts">
      <div><dt>Backend</dt><dd id="backend">–</dd></div>
      <div><dt>Params</dt><dd id="params">–</dd></div>
      <div><dt>Train / validation</dt><dd id="sizes">–</dd></div>
      <div><dt>Epoch</dt><dd id="epoch">–</dd></div>
      <div><dt>Samples/s</dt><dd id="speed">–</dd></div>
      <div><dt>Best epoch</dt><dd id="best">–</dd></div>
    </dl>
    <vscode-button id="stop" appearance="secondary" disabled>Stop</vscode-button>
  </header>
  <vscode-panels id="tabs" aria-label="Training views">
    <vscode-panel-tab id="tab-charts">Charts</vscode-panel-tab>
    <vscode-panel-tab id="tab-epochs">Epochs</vscode-panel-tab>
    <vscode-panel-tab id="tab-summary">Summary</vscode-panel-tab>
    <vscode-panel-view id="view-charts"><div id="charts" class="charts"></div></vscode-panel-view>
    <vscode-panel-view id="view-epochs"><vscode-data-grid id="epochs" aria-label="Epochs"></vscode-data-grid></vscode-panel-view>
    <vscode-panel-view id="view-summary"><pre id="summary">No summary yet.</pre></vscode-panel-view>
  </vscode-panels>
  <script nonce="${escapeAttribute(nonce)}" src="${escapeAttribute(scriptUri)}"></script>
</body>
</html>
`;
}
