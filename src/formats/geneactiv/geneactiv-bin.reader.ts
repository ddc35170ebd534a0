import type { ReaderEvent, StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { keyValue, lineText, metadataOf, parseHeader, type GeneactivHeader } from './geneactiv-bin-header.js';
import { GeneactivPages, MAX_PRESSES } from './geneactiv-bin-pages.js';
import { LineSplitter } from '../common/line-splitter.js';
import type { FormatReader, SniffInput } from '../types.js';
import { STANDARD_GRAVITY as G } from '../../domain/units.js';

/**
 * ActivInsights GENEActiv .bin: a text header (device, configuration, calibration) and pages of 300 samples,
 * each page a `Recorded Data` line, eight `Key:Value` lines (sequence number, page time, temperature, battery
 * voltage, measurement frequency, …) and one line of 3,600 hex digits. Read line by line with bounded memory.
 * Streams: `accelerometer` (calibrated with the header's gains and offsets, in m/s²), `light` (lux, per sample),
 * `temperature` and `battery` (per page); button presses become annotations.
 *
 * Page times are the device's wall clock; the header's `Time Zone:GMT +01:00` turns them into UTC (when it is
 * missing, the wall clock is read as UTC with `clock: 'device-local'`, for the pipeline to place).
 */

/** Longest line kept: a page's hex line is 3,600 digits. */
const MAX_LINE = 65_536;
const MAX_HEADER_LINES = 500;
/** `Key:Value` lines allowed in one page header before its hex line (8 in real files). */
const MAX_PAGE_FIELDS = 32;
const RECORDED_DATA = 'Recorded Data';

function streamsFor(h: GeneactivHeader, rateHz: number, lightInLux: boolean): StreamInfo[] {
  const accel: StreamInfo = {
    name: 'accelerometer',
    kind: 'imu',
    sensor: 'accelerometer',
    channels: ['x', 'y', 'z'],
    unit: 'm/s^2',
    originalUnit: 'g',
    nominalRateHz: rateHz,
    frame: 'device',
    calibration: {
      formula: 'g = (raw * 100 - offset) / gain (GENEActiv manual)',
      gain: [...h.gain],
      offset: [...h.offset],
    },
  };
  if (h.rangeG !== null) accel.range = h.rangeG * G;
  const light: StreamInfo = { name: 'light', kind: 'other', sensor: 'light', channels: ['light'], unit: lightInLux ? 'lux' : 'raw', nominalRateHz: rateHz };
  if (lightInLux) light.calibration = { formula: 'lux = raw * Lux / Volts (GENEActiv manual)', lux: h.lux, volts: h.volts };
  return [
    accel,
    light,
    { name: 'temperature', kind: 'other', sensor: 'temperature', channels: ['temperature'], unit: 'degC', nominalRateHz: rateHz / 300 },
    { name: 'battery', kind: 'other', sensor: 'battery', channels: ['voltage'], unit: 'V', nominalRateHz: rateHz / 300 },
  ];
}

function listed(indices: readonly number[], total: number): string {
  return `${indices.join(', ')}${total > indices.length ? ', …' : ''}`;
}

function summary(p: GeneactivPages, h: GeneactivHeader, garbage: { runs: number; firstLine: number }, cutInHeader: boolean): ReaderEvent[] {
  const out: ReaderEvent[] = [];
  if (p.badTotal > 0) {
    const reasons = [...p.bad].map(([why, n]) => `${why}: ${n}`).join('; ');
    out.push({
      type: 'warning',
      code: 'geneactiv_bad_page',
      count: p.badTotal,
      message: `${p.badTotal} of ${p.pages} pages were skipped (${reasons}); their samples are left out as a gap, not filled in. Pages (0-based, in file order): ${listed(p.badIndices, p.badTotal)}.`,
    });
  }
  if (garbage.runs > 0) {
    out.push({ type: 'warning', code: 'geneactiv_garbage', count: garbage.runs, message: `${garbage.runs} stretch(es) of lines that are not pages were skipped, the first at line ${garbage.firstLine}.` });
  }
  if (p.sequenceGaps > 0) {
    out.push({ type: 'warning', code: 'geneactiv_sequence_gap', count: p.sequenceGaps, message: `The page sequence numbers jump ${p.sequenceGaps} time(s) beyond the skipped pages: pages are missing from the file.` });
  }
  if (p.timeJumps > 0) {
    out.push({
      type: 'warning',
      code: 'geneactiv_time_jump',
      count: p.timeJumps,
      message: `The page times jump between ${p.timeJumps} pair(s) of consecutive pages (by more than 20 % of a page's duration); those pages keep their own times. At pages: ${listed(p.timeJumpIndices, p.timeJumps)}.`,
    });
  }
  if (p.truncatedDigits > 0 || cutInHeader) {
    out.push({
      type: 'warning',
      code: 'geneactiv_truncated',
      message: cutInHeader
        ? 'The file ends inside the header of its last page (it was cut during copy or upload); that page has no samples.'
        : `The file ends inside its last page (it was cut during copy or upload): the complete samples of that page are kept, the last ${p.truncatedDigits} hex digit(s) of an incomplete sample dropped.`,
    });
  }
  if (h.pagesDeclared !== null && h.pagesDeclared !== p.pages) {
    out.push({
      type: 'warning',
      code: 'geneactiv_page_count',
      message: `The header declares ${h.pagesDeclared.toLocaleString('en')} pages but the file holds ${p.pages.toLocaleString('en')}: ${h.pagesDeclared > p.pages ? 'the file was cut, or the device stopped early' : 'the header is out of date'}.`,
    });
  }
  if (p.presses > MAX_PRESSES) {
    out.push({ type: 'warning', code: 'geneactiv_button_presses', count: p.presses, message: `The button was pressed ${p.presses} times; the first ${MAX_PRESSES} are kept as annotations.` });
  }
  return out;
}

/** True for a line of hex digits (a page's data line; empty when the page has none) rather than `Key:Value` text. */
function isDataLine(b: Uint8Array): boolean {
  if (b.length === 0) return true;
  if (b.includes(58 /* : */)) return false;
  const c = b[0]!;
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

async function* readGeneactiv(source: AsyncIterable<Uint8Array>): AsyncGenerator<ReaderEvent> {
  const lines = new LineSplitter(source, { maxLine: MAX_LINE });
  try {
    const fields = new Map<string, string>();
    let found = false;
    for (let i = 0; i < MAX_HEADER_LINES; i++) {
      const l = await lines.next();
      if (l === null) break;
      const text = lineText(l);
      if (text === RECORDED_DATA) {
        found = true;
        break;
      }
      const kv = keyValue(text);
      if (kv !== null && !fields.has(kv[0])) fields.set(kv[0], kv[1]);
    }
    if (!found) {
      throw lines.line < MAX_HEADER_LINES
        ? new AppError('format_truncated', `The GENEActiv file ends after ${lines.line} header lines, before its first page ("Recorded Data"): it was cut or holds no data.`)
        : new AppError('format_corrupt', `No "Recorded Data" page starts within the first ${MAX_HEADER_LINES} lines: this is not a GENEActiv .bin file, or its header is damaged.`);
    }
    const header = parseHeader(fields);
    const pages = new GeneactivPages(header, (startTimeNs, rateHz) => {
      // With a readable "Time Zone" the pages' times are converted to UTC here; without one they are the
      // device's wall clock, which the pipeline places with the recording's time zone.
      const events: ReaderEvent[] = [
        { type: 'recording', startTimeNs, absoluteTime: true, clock: header.utcOffsetMin === null ? 'device-local' : 'utc' },
        { type: 'metadata', metadata: metadataOf(header) },
      ];
      const nominal = Number.isFinite(header.rateHz) ? header.rateHz : rateHz;
      for (const stream of streamsFor(header, nominal, pages.lightInLux)) events.push({ type: 'stream', stream });
      return events;
    });
    const garbage = { runs: 0, firstLine: 0 };
    let cutInHeader = false;
    /** Skips lines up to the next "Recorded Data"; false at the end of the file. */
    const resync = async (): Promise<boolean> => {
      garbage.runs++;
      if (garbage.firstLine === 0) garbage.firstLine = lines.line;
      for (;;) {
        const l = await lines.next();
        if (l === null) return false;
        if (!lines.overlong && lineText(l) === RECORDED_DATA) return true;
      }
    };

    // Positioned just after a "Recorded Data" line.
    page: for (;;) {
      const pf = new Map<string, string>();
      for (let i = 0; ; i++) {
        const l = await lines.next();
        if (l === null) {
          cutInHeader = true;
          break page;
        }
        if (!lines.overlong && isDataLine(l)) {
          pages.page(pf, l, lines.terminated);
          break;
        }
        const text = lines.overlong ? '' : lineText(l);
        if (text === RECORDED_DATA) {
          pages.skipDamaged();
          continue page;
        }
        const kv = keyValue(text);
        if (kv === null || i >= MAX_PAGE_FIELDS) {
          pages.skipDamaged();
          if (await resync()) continue page;
          break page;
        }
        pf.set(kv[0], kv[1]);
      }
      if (pages.out.length > 0) {
        yield* pages.out;
        pages.out.length = 0;
      }
      const next = await lines.next();
      if (next === null) break;
      if (lines.overlong || lineText(next) !== RECORDED_DATA) {
        if (!(await resync())) break;
      }
    }
    pages.finish();
    yield* pages.out;
    pages.out.length = 0;
    if (pages.good === 0) {
      if (pages.badTotal > 0) {
        const reasons = [...pages.bad].map(([why, n]) => `${why}: ${n}`).join('; ');
        throw new AppError('format_corrupt', `None of the ${pages.pages} pages of this GENEActiv file could be read (${reasons}).`);
      }
      throw new AppError('no_samples', 'The GENEActiv file has a header but no complete page of samples.');
    }
    yield* summary(pages, header, garbage, cutInHeader);
  } finally {
    await lines.close();
  }
}

function sniffGeneactiv(input: SniffInput): boolean {
  const head = input.head.subarray(0, 4096);
  let text = '';
  for (let i = 0; i < head.length; i++) text += String.fromCharCode(head[i]!);
  return /^Device Identity\r?\n/.test(text) && /\nDevice Type:\s*GENEActiv/i.test(text);
}

/** GENEActiv .bin: text that starts with "Device Identity" and names a GENEActiv device type. */
export const geneactivBinReader: FormatReader = {
  name: 'geneactiv-bin',
  description: 'GENEActiv .bin (ActivInsights: text header + hex pages; accelerometer, light, temperature, button)',
  sniff: sniffGeneactiv,
  read: (source) => readGeneactiv(source),
};
