/**
 * Performance marks the browser benchmark reads: `fieldsense:first-plot` once per opened recording, when the
 * first plot has drawn real data; `fieldsense:plot-drawn` each time a plot redraws with newly fetched data.
 *
 * `afterFirstPlot` lets the page's other loads (annotations, segments, aligned recordings: megabytes of JSON
 * on a busy day) wait until the plots have their samples, so the one API process answers those first.
 */
/** Longest the other loads wait for a first plot (a recording whose plots never draw must not hold them up). */
export const FIRST_PLOT_WAIT_MS = 1500;

let firstDrawn = false;
let release: () => void = () => undefined;
let drawn: Promise<void> = Promise.resolve();

/** A recording view opened: the next data drawn is its first plot. */
export function resetFirstPlot(): void {
  firstDrawn = false;
  release();
  drawn = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, FIRST_PLOT_WAIT_MS);
    release = () => { clearTimeout(timer); resolve(); };
  });
}

export function markPlotDrawn(): void {
  if (!firstDrawn) {
    firstDrawn = true;
    performance.mark('fieldsense:first-plot');
    release();
  }
  performance.mark('fieldsense:plot-drawn');
}

/** Resolves once the opened recording's first plot is drawn (or after FIRST_PLOT_WAIT_MS). */
export function afterFirstPlot(): Promise<void> {
  return drawn;
}
