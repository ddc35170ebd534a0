/**
 * The dataset card's plots, as PNG files of the dataset: the class balance, and one example window per label
 * (the first window of that label in shard order, so the same export draws the same examples). SVG built by
 * domain/dataset-plots.ts, rendered without a browser (render-png.ts). Files are named by position, never by
 * label text.
 */
import { classBalanceSvg, exampleWindowSvg } from '../../domain/dataset-plots.js';
import { svgToPng } from './render-png.js';
import { writeWhole } from './finalize.js';
import type { ShardSummary } from './shard.js';
import type { ExportWorkspace } from './workspace.js';

export function cardPlots(ws: ExportWorkspace, rateHz: number) {
  return async (examples: ShardSummary['examples'], byLabel: Record<string, number>): Promise<{ path: string; alt: string }[]> => {
    const out: { path: string; alt: string }[] = [];
    if (Object.keys(byLabel).length > 0) {
      await writeWhole(ws, 'images/class-balance.png', svgToPng(classBalanceSvg(byLabel, { title: 'Rows per label' })), 'image/png');
      out.push({ path: 'images/class-balance.png', alt: 'Rows per label' });
    }
    const labels = Object.keys(examples).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [i, label] of labels.entries()) {
      const ex = examples[label]!;
      const file = `images/example-${String(i + 1).padStart(2, '0')}.png`;
      const svg = exampleWindowSvg(label, ex.channels.map((c) => ({ name: c.name, values: Float32Array.from(c.values) })), rateHz);
      await writeWhole(ws, file, svgToPng(svg), 'image/png');
      out.push({ path: file, alt: `Example window: ${label} (recording ${ex.recordingId} at ${ex.startS} s)` });
    }
    return out;
  };
}
