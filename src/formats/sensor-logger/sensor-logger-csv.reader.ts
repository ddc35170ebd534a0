import type { ReaderEvent, StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { LineSplitter, lineTooLong } from '../common/line-splitter.js';
import { channelUnitsNote, describeSensor, looksLikeG, streamNameFromFilename } from './sensor-logger-names.js';
import { LF, MAX_LINE_BYTES, parseHeader, RowParser, splitHeader, type Header } from './sensor-logger-csv-rows.js';
import { STANDARD_GRAVITY } from '../../domain/units.js';
import type { FormatReader, SniffInput } from '../types.js';

export { describeSensor, streamNameFromFilename } from './sensor-logger-names.js';

/**
 * Sensor Logger (Kelvin Choi's app) exports one CSV per sensor: `time,seconds_elapsed,<value columns…>`,
 * `time` being Unix epoch nanoseconds (19 digits, too big for a double). The file's lines come through the one
 * line splitter; its rows through the fused byte-level parser of sensor-logger-csv-rows.ts (no per-line strings,
 * no BigInt per row), so a 24 h file of ~840 MB streams through quickly. Here: units, streams and warnings.
 */

async function* readSensorLoggerCsv(source: AsyncIterable<Uint8Array>, filename: string): AsyncGenerator<ReaderEvent> {
  const name = streamNameFromFilename(filename);
  let header: Header | null = null;
  let started = false;
  const what = 'Sensor Logger CSV file';

  /** Columns kept as channels (text columns left out), and the factor to SI applied to every value. */
  let kept: number[] = [];
  let textColumns: string[] = [];
  let factor = 1;
  const extra: ReaderEvent[] = [];

  function* emit(p: RowParser): Generator<ReaderEvent> {
    const rows = p.n;
    const chunk = p.flush();
    if (!started && header !== null) {
      started = true;
      const channels = header.channels;
      // A column most of whose first rows are not numbers holds text (ids, names, hex payloads): it is not a
      // channel of missing values.
      const text = new Set(channels.flatMap((_, c) => ((p.badCount[c] ?? 0) * 2 > rows ? [c] : [])));
      kept = channels.flatMap((_, c) => (text.has(c) ? [] : [c]));
      textColumns = [...text].map((c) => channels[c]!);
      if (kept.length === 0) {
        throw new AppError('no_samples', `Every value column of this ${what} holds text (${textColumns.join(', ')}), not numbers; there are no samples to read.`);
      }
      const info = describeSensor(name);
      const keptNames = kept.map((c) => channels[c]!);
      const stream: StreamInfo = { name, kind: info.kind, sensor: info.sensor, channels: keptNames, unit: info.unit, nominalRateHz: null };
      const note = channelUnitsNote(info, keptNames);
      if (note !== null) stream.calibration = { channel_units: note };
      // iOS writes uncalibrated acceleration in g unless "Standardise Units & Frames" is on; a lone file does
      // not say which, its magnitude does (gravity alone is 1 g).
      if (info.sensor === 'accelerometer_uncalibrated' && looksLikeG(kept.map((c) => chunk.values[c]!), rows)) {
        factor = STANDARD_GRAVITY;
        stream.originalUnit = 'g';
        extra.push({
          type: 'warning',
          code: 'unit_inferred',
          message: `"${name}": the values' median norm is about 1, so they are in g (Sensor Logger on iOS without "Standardise Units & Frames"); converted to m/s^2.`,
        });
      }
      if (textColumns.length > 0) {
        extra.push({
          type: 'warning',
          code: 'csv_text_columns_skipped',
          message: `Column(s) ${textColumns.map((c) => `"${c}"`).join(', ')} hold text (identifiers, names or hex payloads), not numbers; not stored as channels.`,
          count: textColumns.length,
        });
      }
      yield { type: 'recording', startTimeNs: chunk.t[0] ?? null, absoluteTime: true };
      yield { type: 'stream', stream };
    }
    const values = kept.map((c) => {
      const v = chunk.values[c]!;
      if (factor !== 1) for (let i = 0; i < chunk.length; i++) v[i] = v[i]! * factor;
      return v;
    });
    yield { type: 'chunk', stream: name, chunk: { length: chunk.length, t: chunk.t, values } };
  }

  const lines = new LineSplitter(source, { maxLine: MAX_LINE_BYTES, bom: true });
  try {
    const first = await lines.next();
    if (first === null) throw new AppError('file_empty', 'The file is empty.');
    if (lines.overlong) throw lineTooLong(1, MAX_LINE_BYTES, what);
    header = parseHeader(first);
    const parser = new RowParser(header);
    for (;;) {
      const run = await lines.nextRun();
      if (run === null) break;
      if (run.kind === 'lines') {
        let p = run.start;
        while (p < run.end) {
          p = parser.parseLines(run.bytes, p, run.end);
          if (!parser.full) break;
          yield* emit(parser);
        }
      } else if (run.kind === 'line') {
        parser.parseLine(run.bytes, run.start, run.end);
        if (parser.full) yield* emit(parser);
      } else {
        throw lineTooLong(parser.line + 1, MAX_LINE_BYTES, what);
      }
    }
    if (parser.n > 0) yield* emit(parser);
    if (parser.total === 0) {
      throw new AppError('no_samples', `The CSV file has a header but no data rows (${parser.line} line(s) read).`, { line: parser.line });
    }
    yield* extra;
    for (const c of kept) {
      const count = parser.badCount[c] ?? 0;
      if (count > 0) {
        yield {
          type: 'warning',
          code: 'csv_non_numeric',
          message: `${count} value(s) in column "${header.channels[c]}" are not numbers (first at line ${parser.badFirstLine[c]}); they are stored as missing.`,
        };
      }
    }
  } finally {
    await lines.close();
  }
}

/** First line (after an optional UTF-8 BOM) is a header with columns `time` and `seconds_elapsed`. */
function sniffSensorLoggerCsv(input: SniffInput): boolean {
  const h = input.head;
  let nl = h.indexOf(LF);
  if (nl < 0) nl = h.length;
  const names = splitHeader(new TextDecoder('utf-8', { fatal: false }).decode(h.subarray(0, Math.min(nl, 4096)))).map((n) =>
    n.toLowerCase(),
  );
  return names.includes('time') && names.includes('seconds_elapsed');
}

/** One Sensor Logger per-sensor CSV → one stream named after the file (`Gyroscope.csv` → `gyroscope`). */
export const sensorLoggerCsvReader: FormatReader = {
  name: 'sensor-logger-csv',
  description: 'Sensor Logger CSV (one file per sensor: time,seconds_elapsed,<values>; time in Unix epoch ns)',
  sniff: sniffSensorLoggerCsv,
  read: (source, input) => readSensorLoggerCsv(source, input.filename),
};
