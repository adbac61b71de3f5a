/**
 * Driving the VS Code workbench as a user does — mouse, keyboard, and what
 * is on the screen — through a Playwright page on code-server. Selectors are
 * the workbench's own classes, the same on VS Code 1.100 and 1.139.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { sleep, slug } from './harness';

export interface Problem {
  readonly file: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/** Waits until `probe` returns a value that is not undefined, or fails with `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    await sleep(intervalMs);
  }
}

const ACTIVE_EDITOR = '.editor-group-container.active .editor-container .monaco-editor:not(.rename-box)';

export class Workbench {
  constructor(readonly page: Page, readonly url: string, readonly resultsDir: string) {}

  /** Loads the workbench on the workspace and waits for the Explorer to list it. */
  async open(): Promise<void> {
    await this.page.goto(this.url);
    await this.waitForReady();
  }

  async waitForReady(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
  }

  /** Reloads the window with "Developer: Reload Window", which lets the workbench save its state first. */
  async reload(): Promise<void> {
    const main = this.page.mainFrame();
    const navigated = this.page.waitForEvent('framenavigated', { predicate: (frame) => frame === main, timeout: 60_000 });
    await this.runCommand('Developer: Reload Window').catch(() => undefined);
    await navigated;
    await this.waitForReady();
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(this.resultsDir, { recursive: true });
    const path = join(this.resultsDir, `${slug(name)}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  // ------------------------------------------------------------ files and editors

  /** Opens a file at the workspace root by double-clicking its Explorer row, and waits for its editor. */
  async openFile(name: string): Promise<void> {
    await this.page.mouse.move(1, 1);
    await this.page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`).dblclick();
    await this.page.locator(`.editor-group-container.active .tab.active[aria-label^="${name}"]`).waitFor();
    await this.page.locator(`${ACTIVE_EDITOR} .view-lines`).first().waitFor();
  }

  /** Opens a file a scenario has just written, once the Explorer shows it. */
  async openNewFile(name: string): Promise<void> {
    await until(`${name} in the Explorer`, async () => ((await this.page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`).count()) > 0 ? true : undefined));
    await this.openFile(name);
  }

  /** Closes every editor, answering "Don't Save" for unsaved changes. */
  async closeAllEditors(): Promise<void> {
    await this.runCommand('View: Close All Editors');
    const dialog = this.page.locator('.monaco-dialog-box');
    const tabs = this.page.locator('.tabs-container .tab');
    await until('every editor closed', async () => {
      if (await dialog.isVisible()) await dialog.getByRole('button', { name: /Don.t Save/ }).click();
      return (await tabs.count()) === 0 ? true : undefined;
    });
  }

  /** The active editor's lines as shown, with inlay hints left out, top to bottom. */
  async editorLines(): Promise<string[]> {
    return this.page.locator(`${ACTIVE_EDITOR} .view-lines`).first().evaluate((root) => {
      const lines = [...root.querySelectorAll<HTMLElement>(':scope > .view-line')].sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
      return lines.map((line) => {
        const clone = line.cloneNode(true) as HTMLElement;
        // Inlay hints are injected text with generated "dyn-rule" classes; the document's text has none.
        for (const hint of clone.querySelectorAll('[class*="dyn-rule"]')) hint.remove();
        return (clone.textContent ?? '').replace(/\u00a0/g, ' ');
      });
    });
  }

  /** The inlay hints of each line of the active editor (line number, 1-based, to the hints' text). */
  async inlayHints(): Promise<Map<number, string>> {
    const rows = await this.page.locator(`${ACTIVE_EDITOR} .view-lines`).first().evaluate((root) => {
      const lines = [...root.querySelectorAll<HTMLElement>(':scope > .view-line')].sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
      return lines.map((line) => [...line.querySelectorAll('[class*="dyn-rule"]')].map((hint) => hint.textContent ?? '').join('').replace(/\u00a0/g, ' ').trim());
    });
    const firstLine = await this.firstVisibleLine();
    return new Map(rows.map((text, i) => [firstLine + i, text] as const).filter(([, text]) => text !== ''));
  }

  private async firstVisibleLine(): Promise<number> {
    const numbers = await this.page.locator(`${ACTIVE_EDITOR} .margin-view-overlays .line-numbers`).allTextContents();
    const parsed = numbers.map(Number).filter((n) => n > 0);
    return parsed.length > 0 ? Math.min(...parsed) : 1;
  }

  /** The code lenses of the active editor, top to bottom. */
  async codeLenses(): Promise<string[]> {
    const lenses = await this.page.locator(`${ACTIVE_EDITOR} .codelens-decoration`).evaluateAll((nodes) =>
      nodes.map((node) => ({ top: parseFloat((node as HTMLElement).style.top), text: (node.textContent ?? '').replace(/\u00a0/g, ' ') })));
    return lenses.sort((a, b) => a.top - b.top).map((lens) => lens.text);
  }

  /** Waits for a code lens that contains `text`, and returns its whole text. */
  async waitForCodeLens(text: string | RegExp, timeoutMs = 20_000): Promise<string> {
    return until(`a code lens matching ${text}`, async () => (await this.codeLenses()).find((lens) => typeof text === 'string' ? lens.includes(text) : text.test(lens)), timeoutMs);
  }

  /** Clicks the code lens command whose title starts with `title`. */
  async clickCodeLens(title: string): Promise<void> {
    await this.page.locator(`${ACTIVE_EDITOR} .codelens-decoration a`).filter({ hasText: title }).first().click();
  }

  /** Squiggles of one kind in the active editor. */
  async squiggles(kind: 'error' | 'warning'): Promise<number> {
    return this.page.locator(`${ACTIVE_EDITOR} .squiggly-${kind}`).count();
  }

  /** Moves the cursor with "Go to Line/Column" (1-based). */
  async goTo(line: number, column = 1): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await until(`the cursor at ${line}:${column}`, async () => (await this.cursor()) === `${line}:${column}` ? true : undefined, 5000);
  }

  /** The cursor position from the status bar, as "line:column". */
  async cursor(): Promise<string | undefined> {
    const text = await this.page.locator('.statusbar-item[id*="status.editor.selection"]').first().textContent();
    const match = /Ln (\d+), Col (\d+)/.exec(text ?? '');
    return match ? `${match[1]}:${match[2]}` : undefined;
  }

  async focusEditor(): Promise<void> {
    const focused = await this.page.evaluate((selector) => !!document.activeElement?.closest(selector), ACTIVE_EDITOR);
    if (!focused) await this.runCommand('View: Focus Active Editor Group');
  }

  /** Types at the cursor of the active editor. */
  async type(text: string): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.type(text, { delay: 20 });
  }

  // ------------------------------------------------------------ hover

  /** Screen coordinates of the middle of the `occurrence`-th whole token `word` in the active editor (1-based). */
  async wordPosition(word: string, occurrence = 1): Promise<{ x: number; y: number }> {
    return until(`"${word}" on the screen`, () => this.page.locator(`${ACTIVE_EDITOR} .view-lines`).first().evaluate((root, [word, occurrence]) => {
      const lines = [...root.querySelectorAll<HTMLElement>(':scope > .view-line')].sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
      let seen = 0;
      for (const line of lines) {
        for (const span of line.querySelectorAll('span > span')) {
          if (span.textContent !== word || (span as HTMLElement).className.includes('dyn-rule')) continue;
          if (++seen < (occurrence as number)) continue;
          const box = span.getBoundingClientRect();
          return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
        }
      }
      return undefined;
    }, [word, occurrence] as const));
  }

  /**
   * Rests the mouse on a word and returns the hover's text. The editor hides
   * a hover when the text's layout changes under it (a code lens or an inlay
   * hint arriving moves the lines), so the word is found again and the mouse
   * rested on it again until a hover stays.
   */
  async hover(word: string, occurrence = 1, timeoutMs = 20_000): Promise<string> {
    const hover = this.page.locator('.monaco-hover:not(.hidden)').filter({ hasText: /\S/ }).first();
    return until(`a hover over "${word}"`, async () => {
      const { x, y } = await this.wordPosition(word, occurrence);
      await this.page.mouse.move(1, 1);
      await this.page.mouse.move(x - 2, y);
      await this.page.mouse.move(x, y);
      await hover.waitFor({ timeout: 4000 });
      return (await hover.innerText()).replace(/\u00a0/g, ' ');
    }, timeoutMs, 300);
  }

  /** The images in the visible hover, once each has loaded: their source's start and their drawn size. */
  async hoverImages(): Promise<{ src: string; width: number; height: number }[]> {
    const hover = this.page.locator('.monaco-hover:not(.hidden)').filter({ hasText: /\S/ }).first();
    return until('the hover\'s images to load', () => hover.evaluate((root) => {
      const images = [...root.querySelectorAll('img')];
      if (images.length === 0 || images.some((image) => !image.complete || image.naturalWidth === 0)) return undefined;
      return images.map((image) => ({ src: image.src.slice(0, 40), width: image.naturalWidth, height: image.naturalHeight }));
    }));
  }

  async dismissHover(): Promise<void> {
    await this.page.mouse.move(1, 1);
    await this.page.keyboard.press('Escape');
    await this.page.locator('.monaco-hover:not(.hidden)').filter({ hasText: /\S/ }).waitFor({ state: 'hidden' }).catch(() => undefined);
  }

  // ------------------------------------------------------------ commands

  /**
   * Runs a command by its title from the Command Palette (F1). With
   * `optional`, a command the palette does not offer is skipped.
   */
  async runCommand(title: string, options: { optional?: boolean } = {}): Promise<boolean> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    // A row's label is the title, then ", " and what the palette adds (a keybinding, "recently used", …).
    const matches = (label: string): boolean => label === title || label.startsWith(`${title}, `);
    try {
      await this.focusRow('.quick-input-widget', matches, options.optional ? 2000 : 10_000);
    } catch (error) {
      await this.page.keyboard.press('Escape');
      if (options.optional) return false;
      throw new Error(`the Command Palette offers no "${title}": ${error instanceof Error ? error.message : error}`, { cause: error });
    }
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    return true;
  }

  /** Moves the keyboard focus in the list under `container` to the first row whose aria-label matches. */
  private async focusRow(container: string, matches: (label: string) => boolean, timeoutMs: number): Promise<void> {
    const rows = this.page.locator(`${container} .monaco-list-row`);
    const labels = (): Promise<{ label: string; focused: boolean }[]> =>
      rows.evaluateAll((nodes) => nodes.map((node) => ({ label: node.getAttribute('aria-label') ?? '', focused: node.classList.contains('focused') })));
    await until(`a row matching in ${container}`, async () => (await labels()).some((row) => matches(row.label)) ? true : undefined, timeoutMs);
    for (let i = 0; i < 40; i++) {
      const now = await labels();
      const focused = now.find((row) => row.focused);
      if (focused && matches(focused.label)) return;
      await this.page.keyboard.press('ArrowDown');
    }
    throw new Error(`could not move the focus to the matching row in ${container}`);
  }

  // ------------------------------------------------------------ problems

  /** Opens the Problems panel and reads every row of it. */
  async problems(): Promise<Problem[]> {
    return this.withProblemsPanel(() => this.problemRows());
  }

  /** Waits until the Problems panel's rows for `file` satisfy `done`, and returns them. */
  async waitForProblems(file: string, done: (problems: Problem[]) => boolean, what: string, timeoutMs = 20_000): Promise<Problem[]> {
    let last: Problem[] = [];
    try {
      return await this.withProblemsPanel(() => until(what, async () => {
        last = (await this.problemRows()).filter((p) => p.file === file);
        return done(last) ? last : undefined;
      }, timeoutMs, 300));
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : error}; the Problems panel lists for ${file}:\n${last.map((p) => `  ${p.severity} ${p.line}:${p.column} ${p.message}`).join('\n') || '  nothing'}`, { cause: error });
    }
  }

  /** Runs `body` with the Problems panel open and maximised (only rows in view are rendered), then restores its size. */
  private async withProblemsPanel<T>(body: () => Promise<T>): Promise<T> {
    const panel = this.page.locator('.markers-panel');
    if (!(await panel.isVisible())) {
      await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
      await panel.waitFor();
    }
    const viewport = this.page.viewportSize()!;
    const tall = async (): Promise<boolean> => ((await this.page.locator('.part.panel').boundingBox())?.height ?? 0) > viewport.height * 0.6;
    const maximise = !(await tall());
    if (maximise) {
      await this.runCommand('View: Toggle Maximized Panel');
      await until('the panel to be maximised', async () => (await tall()) ? true : undefined, 5000);
    }
    try {
      return await body();
    } finally {
      if (maximise) await this.runCommand('View: Toggle Maximized Panel');
    }
  }

  private async problemRows(): Promise<Problem[]> {
    const labels = await this.page.locator('.markers-panel .monaco-list-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('aria-label') ?? ''));
    const problems: Problem[] = [];
    let file = '';
    for (const label of labels) {
      const header = /problems? in file (.+?) of folder/.exec(label);
      if (header) {
        file = header[1]!;
        continue;
      }
      const row = /^(Error|Warning|Info): (.*) at line (\d+) and character (\d+)\./s.exec(label);
      if (!row) continue;
      problems.push({ file, severity: row[1]!.toLowerCase() as Problem['severity'], message: row[2]!, line: Number(row[3]), column: Number(row[4]) });
    }
    return problems;
  }

  /** Hides the panel (Problems, Output, …) if it is open. */
  async closePanel(): Promise<void> {
    const panel = this.page.locator('.part.panel');
    if (!(await panel.isVisible())) return;
    if (!(await this.runCommand('View: Hide Panel', { optional: true }))) await this.runCommand('View: Close Panel');
    await panel.waitFor({ state: 'hidden' });
  }

  // ------------------------------------------------------------ quick fixes, completion, rename

  /** Opens the quick-fix menu at the cursor and returns its actions' titles. */
  async quickFixes(): Promise<string[]> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+.');
    const rows = this.page.locator('.action-widget .monaco-list-row.action');
    await rows.first().waitFor();
    return rows.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('aria-label') ?? node.textContent ?? ''));
  }

  /** Applies the quick fix titled `title` from the open quick-fix menu, with the keyboard. */
  async applyQuickFix(title: string): Promise<void> {
    await this.focusRow('.action-widget', (label) => label === title, 5000);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.action-widget .monaco-list-row.action').first().waitFor({ state: 'hidden' });
  }

  /** Triggers completion (Ctrl+Space) at the cursor and returns the suggestions' labels. */
  async completions(): Promise<string[]> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+Space');
    const rows = this.page.locator('.suggest-widget .monaco-list-row');
    await rows.first().waitFor();
    // The list settles once the language server has answered.
    let previous = '';
    return until('the suggestions to settle', async () => {
      const labels = await rows.evaluateAll((nodes) => nodes.map((node) => node.querySelector('.label-name')?.textContent ?? ''));
      const now = labels.join('|');
      const settled = now === previous;
      previous = now;
      return settled && labels.length > 0 ? labels : undefined;
    }, 10_000, 300);
  }

  async dismissSuggestions(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.locator('.suggest-widget.visible').waitFor({ state: 'hidden' }).catch(() => undefined);
  }

  /** Renames the symbol at the cursor with F2. */
  async rename(newName: string): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('F2');
    // Keys typed before the rename box has focus would edit the document.
    await this.page.waitForFunction(() => !!document.activeElement?.closest('.rename-box'));
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.type(newName);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.monaco-editor.rename-box').waitFor({ state: 'hidden' });
  }

  async save(): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+S');
    await this.page.locator('.editor-group-container.active .tab.active.dirty').waitFor({ state: 'detached' });
  }

  // ------------------------------------------------------------ tabs, notifications, status bar

  /** The tab titles of every editor group. */
  async tabs(): Promise<string[]> {
    return this.page.locator('.tabs-container .tab').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('aria-label') ?? ''));
  }

  /** The lines of the editor in the group whose active tab starts with `title`. */
  async editorLinesOf(title: string): Promise<string[]> {
    const group = this.page.locator('.editor-group-container').filter({ has: this.page.locator(`.tab.active[aria-label^="${title}"]`) }).first();
    await group.waitFor();
    return group.locator('.editor-container .monaco-editor:not(.rename-box) .view-lines').first().evaluate((root) =>
      [...root.querySelectorAll<HTMLElement>(':scope > .view-line')]
        .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
        .map((line) => (line.textContent ?? '').replace(/\u00a0/g, ' ')));
  }

  /** The messages of the notification toasts on screen. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
  }

  /** The buttons of the notification toast whose message contains `text`. */
  async notificationButtons(text: string): Promise<string[]> {
    return this.page.locator('.notification-toast').filter({ hasText: text }).locator('.monaco-button').allInnerTexts();
  }

  async statusBarTexts(): Promise<string[]> {
    return this.page.locator('.statusbar-item').allInnerTexts();
  }

  /** Clicks the status-bar item whose text matches, as a user does. */
  async clickStatusBarItem(text: RegExp): Promise<void> {
    const item = this.page.locator('.statusbar-item').filter({ hasText: text }).first();
    await item.waitFor();
    await item.locator('.statusbar-item-label').click();
  }

  /** Picks a colour theme through "Preferences: Color Theme", whose picker replaces the palette's. */
  async setColorTheme(theme: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.fill('>Preferences: Color Theme');
    await this.focusRow('.quick-input-widget', (label) => label.startsWith('Preferences: Color Theme'), 10_000);
    await this.page.keyboard.press('Enter');
    await until('the theme picker', async () => (await input.inputValue()) === '' && /theme/i.test((await input.getAttribute('placeholder')) ?? '') ? true : undefined, 10_000);
    await input.fill(theme);
    await this.focusRow('.quick-input-widget', (label) => label === theme || label.startsWith(`${theme}, `) || label.startsWith(`${theme} `), 10_000);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  // ------------------------------------------------------------ webviews

  /**
   * The frame of a webview whose page has an element matching `selector`.
   * Webview pages sit in nested iframes; every frame is searched.
   */
  async webviewFrame(selector: string, timeoutMs = 20_000): Promise<Frame> {
    try {
      return await until(`a webview with ${selector}`, async () => {
        for (const frame of this.page.frames()) {
          if (frame === this.page.mainFrame()) continue;
          try {
            if (await frame.evaluate((s) => !!document.querySelector(s), selector)) return frame;
          } catch { /* a frame navigating or gone */ }
        }
        return undefined;
      }, timeoutMs, 300);
    } catch (error) {
      const frames = this.page.frames().filter((frame) => frame !== this.page.mainFrame()).map((frame) => `${frame.name() || '(unnamed)'} ${frame.url().replace(/^.*\/static\/out\//, '').slice(0, 80)}`);
      throw new Error(`${error instanceof Error ? error.message : error}; frames: ${frames.join(', ') || 'none'}`, { cause: error });
    }
  }

  /** The visible text of a webview frame. */
  static async frameText(frame: Frame): Promise<string> {
    return frame.evaluate(() => document.body.innerText);
  }

  /** Closes the editor tab whose title starts with `title` with its close button, and waits until it is gone. */
  async closeTab(title: string): Promise<void> {
    const tab = this.tab(title).first();
    await tab.click();
    await tab.hover();
    await tab.locator('.tab-actions .action-label').first().click();
    await this.tab(title).first().waitFor({ state: 'detached' });
  }

  /** A locator for the editor tab whose title starts with `title`. */
  tab(title: string): Locator {
    return this.page.locator(`.tabs-container .tab[aria-label^="${title}"]`);
  }
}
