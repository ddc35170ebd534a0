/**
 * SVG → PNG without a browser, for the dataset card's plots (domain/dataset-plots.ts): resvg (Rust, shipped as
 * a prebuilt Node addon inside its npm package) with exactly one font, loaded from its file. System fonts are
 * not loaded, so the same SVG gives the same bytes on every machine that has the font, whatever else is
 * installed there.
 */
import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import { PLOT_FONT_FAMILY } from '../../domain/dataset-plots.js';
import { AppError } from '../../lib/errors.js';

/**
 * Liberation Sans, regular and bold (titles), as Debian's `fonts-liberation` installs them (CI installs that
 * package; see .ci/run).
 */
export const PLOT_FONT_FILES: readonly string[] = [
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
];

/** Widest PNG we render: a plot is a figure on a card, not a poster (and a typo must not allocate gigabytes). */
const MAX_WIDTH = 4096;

/**
 * The SVG rendered to PNG bytes, `opts.width` pixels wide (default: the SVG's own width), height in proportion.
 *
 * @param opts.fontFiles the only fonts text is set in (default {@link PLOT_FONT_FILES}); a text element whose
 *   family is none of them is set in Liberation Sans
 * @throws AppError `internal` when a font file is missing (the message names the package to install);
 *   `validation_failed` for a width that is not a whole number from 1 to 4096, or for text that is not SVG
 */
export function svgToPng(svg: string, opts: { width?: number; fontFiles?: readonly string[] } = {}): Uint8Array {
  const fontFiles = [...(opts.fontFiles ?? PLOT_FONT_FILES)];
  const missing = fontFiles.filter((f) => !existsSync(f));
  if (fontFiles.length === 0 || missing.length > 0) {
    throw new AppError(
      'internal',
      `The plots' font ${missing.join(', ') || '(none given)'} is missing: install the Debian package fonts-liberation ` +
        '(apt-get install fonts-liberation) so that the dataset card\'s plots can be drawn with their text.',
      { missing },
    );
  }
  if (opts.width !== undefined && !(Number.isInteger(opts.width) && opts.width >= 1 && opts.width <= MAX_WIDTH)) {
    throw new AppError('validation_failed', `PNG width must be a whole number of pixels from 1 to ${MAX_WIDTH}, not ${opts.width}.`, { width: opts.width });
  }
  let renderer: Resvg;
  try {
    renderer = new Resvg(svg, {
      font: { loadSystemFonts: false, fontFiles, defaultFontFamily: PLOT_FONT_FAMILY, sansSerifFamily: PLOT_FONT_FAMILY },
      fitTo: opts.width === undefined ? { mode: 'original' } : { mode: 'width', value: opts.width },
      shapeRendering: 2,
      textRendering: 1,
      logLevel: 'off',
    });
  } catch (e) {
    throw new AppError('validation_failed', `Cannot draw the plot: the SVG does not parse (${e instanceof Error ? e.message : String(e)}).`);
  }
  const png = renderer.render().asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
