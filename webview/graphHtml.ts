/**
 * The graph view's HTML. The client fills in the webview URIs; plain string
 * work, like the training panel's (html.ts), so that the client and the
 * tests call it, and it imports nothing.
 */

export interface GraphHtmlOptions {
  /** `dist/webview/graph.js` as a webview URI. */
  scriptUri: string;
  /** `dist/webview/graph.css` as a webview URI. */
  styleUri: string;
  /** A fresh random value per render: only the page's own script runs. */
  nonce: string;
  /** The webview's `cspSource`, from which the style sheet loads. */
  cspSource: string;
}

const escapeAttribute = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The page under the training panel's strict Content-Security-Policy: the
 * nonce'd script only, styles from the extension's folder, no inline
 * styles, no eval. ELK's bundled build lays out in the page's own thread
 * (no worker, no eval), and the page sets positions as SVG attributes and
 * d3-zoom its transform, neither of which CSP governs. The PNG export draws
 * the SVG through a data: image, hence `img-src data:`.
 */
export function renderGraphHtml(options: GraphHtmlOptions): string {
  const { scriptUri, styleUri, nonce, cspSource } = options;
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeAttribute(styleUri)}">
  <title>Model graph</title>
</head>
<body>
  <header id="header">
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
  <script nonce="${escapeAttribute(nonce)}" src="${escapeAttribute(scriptUri)}"></script>
</body>
</html>
`;
}
