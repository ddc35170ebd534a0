/**
 * Performance marks the browser benchmark reads: `fieldsense:first-plot` once per opened recording, when the
 * first plot has drawn real data; `fieldsense:plot-drawn` each time a plot redraws with newly fetched data.
 */
let firstDrawn = false;

/** A recording view opened: the next data drawn is its first plot. */
export function resetFirstPlot(): void {
  firstDrawn = false;
}

export function markPlotDrawn(): void {
  if (!firstDrawn) {
    firstDrawn = true;
    performance.mark('fieldsense:first-plot');
  }
  performance.mark('fieldsense:plot-drawn');
}
