import type { Locator, Page } from 'playwright-core';

/**
 * What the console's browser tests read off a page: pixels of a plot's canvas, and where a moment of the
 * recording is on screen. Page code is passed as source text, so the transpiler's helpers never reach the page.
 */

/**
 * How many pixels of the canvases inside `container` are strongly coloured (the data lines: uPlot's axes, grid
 * and labels are grey or black). A plot that drew no data has none.
 */
export async function colouredPixels(page: Page, container: string): Promise<number> {
  return page.evaluate<number>(`(() => {
    let n = 0;
    for (const c of document.querySelectorAll(${JSON.stringify(container)} + ' canvas')) {
      if (!c.width || !c.height) continue;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] < 128) continue;
        const max = Math.max(d[i], d[i + 1], d[i + 2]), min = Math.min(d[i], d[i + 1], d[i + 2]);
        if (max - min > 80) n++;
      }
    }
    return n;
  })()`);
}

/** The recording view's window, from the Viewport the console exposes while a recording is open. */
export async function viewWindow(page: Page): Promise<{ fromS: number; toS: number }> {
  return page.evaluate<{ fromS: number; toS: number }>('(() => { const s = window.__fieldsense.viewport.state; return { fromS: s.fromS, toS: s.toS }; })()');
}

export async function setViewWindow(page: Page, fromS: number, toS: number): Promise<void> {
  await page.evaluate(`window.__fieldsense.viewport.setWindow(${fromS}, ${toS})`);
}

/**
 * Screen x of a moment: the plots' data area is uPlot's `.u-over` of the given plot, and the annotation overlay
 * is drawn to line up with it (the same left axis width and padding).
 */
export async function xOf(page: Page, plot: Locator, t: number): Promise<number> {
  const area = await plot.locator('.u-over').boundingBox();
  if (!area) throw new Error('the plot has no data area on screen');
  const { fromS, toS } = await viewWindow(page);
  return area.x + ((t - fromS) / (toS - fromS)) * area.width;
}

/**
 * A y inside the annotation overlay where the pointer meets no annotation at any of `xs` (so a drag there draws
 * a new region instead of moving one): scans the overlay from top to bottom.
 */
export async function emptyY(page: Page, xs: number[]): Promise<number> {
  const box = await page.getByTestId('annotation-overlay').boundingBox();
  if (!box) throw new Error('the annotation overlay is not on screen');
  const y = await page.evaluate<number | null>(`(() => {
    const xs = ${JSON.stringify(xs)};
    const overlay = document.querySelector('[data-testid="annotation-overlay"]');
    for (let y = ${box.y + box.height - 8}; y > ${box.y + 8}; y -= 4) {
      const free = xs.every((x) => {
        const el = document.elementFromPoint(x, y);
        return el && overlay.contains(el) && !el.closest('[data-testid="annotation"]');
      });
      if (free) return y;
    }
    return null;
  })()`);
  if (y === null) throw new Error('no free height in the annotation overlay to draw on');
  return y;
}

/** A mouse drag from x0 to x1 at height y, in steps (the pointer moves as a hand does). */
export async function drag(page: Page, x0: number, x1: number, y: number, y1 = y): Promise<void> {
  await page.mouse.move(x0, y);
  await page.mouse.down();
  await page.mouse.move(x0 + (x1 - x0) / 4, y + (y1 - y) / 4, { steps: 4 });
  await page.mouse.move(x1, y1, { steps: 8 });
  await page.mouse.up();
}

/** The centre of an element on screen. */
export async function centre(l: Locator): Promise<{ x: number; y: number }> {
  const b = await l.boundingBox();
  if (!b) throw new Error('the element is not on screen');
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}
