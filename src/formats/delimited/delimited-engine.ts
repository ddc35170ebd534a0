/**
 * Streams a delimited text file through a RowParser: skips the preamble and header lines the plan counted,
 * hands the parser runs of whole lines from the one LineSplitter (a line carried across pieces is capped: a
 * longer one is skipped and counted, not buffered), and yields the canonical events: `recording`,
 * `metadata`, each `stream` before its first chunk, `chunk`s of ≤ 64 Ki rows, `annotation`s from the label
 * column, and `warning`s (with counts) for skipped or odd lines at the end.
 */

import type { ReaderEvent } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { LineSplitter } from '../common/line-splitter.js';
import type { Plan } from './delimited-plan.js';
import { RowParser } from './delimited-rows.js';

/** Longest data line kept; a longer one (binary garbage, a line without newlines) is skipped and counted. */
export const MAX_LINE_BYTES = 1 << 20;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Reads the rows of `source` (the whole file, header included) as `plan` says. */
export async function* readWithPlan(source: AsyncIterable<Uint8Array>, plan: Plan): AsyncGenerator<ReaderEvent> {
  const parser = new RowParser(plan, plan.dialect.skipLines + 1);
  let started = false;

  function* start(): Generator<ReaderEvent> {
    if (started) return;
    started = true;
    const absolute = plan.time.kind === 'column' && plan.time.absolute;
    const clock = plan.time.kind === 'column' && absolute ? { clock: plan.time.clock } : {};
    yield { type: 'recording', startTimeNs: absolute ? parser.firstNs : null, absoluteTime: absolute, ...clock };
    if (plan.metadata !== null) yield { type: 'metadata', metadata: plan.metadata };
    for (const w of plan.warnings) yield { type: 'warning', code: w.code, message: w.message };
  }

  function* drain(final: boolean): Generator<ReaderEvent> {
    if (parser.rows === 0) return;
    yield* start();
    for (let i = 0; i < parser.streams.length; i++) {
      const st = parser.streams[i]!;
      if (st.n === 0 || (!final && st.n < st.rows)) continue;
      const sp = plan.streams[i]!;
      if (!st.declared) {
        st.declared = true;
        yield { type: 'stream', stream: sp.info };
      }
      yield { type: 'chunk', stream: sp.info.name, chunk: st.flush() };
    }
    parser.anyFull = false;
    for (const a of parser.annotations.splice(0)) yield { type: 'annotation', annotation: a };
  }

  const lines = new LineSplitter(source, { maxLine: MAX_LINE_BYTES, bom: plan.dialect.bom });
  try {
    for (let i = 0; i < plan.dialect.skipLines; i++) if ((await lines.next()) === null) break;
    for (;;) {
      const run = await lines.nextRun();
      if (run === null) break;
      if (run.kind === 'lines') {
        let p = run.start;
        while (p < run.end) {
          p = parser.parseLines(run.bytes, p, run.end);
          if (!parser.anyFull) break;
          yield* drain(false);
        }
      } else if (run.kind === 'line') {
        parser.parseLine(run.bytes, run.start, run.end, !run.terminated);
      } else {
        parser.skipLongLine();
      }
      if (!run.terminated) break;
      if (parser.anyFull || parser.annotations.length > 0) yield* drain(false);
      checkCorrupt(parser, plan);
    }
  } finally {
    await lines.close();
  }
  parser.closeLabel(parser.lastRowNs());
  yield* drain(true);
  if (parser.rows === 0) {
    const why = parser.firstSkipped === null ? '' : `; ${plural(parser.skipped, 'line')} could not be read (first: line ${parser.firstSkipped.line})`;
    throw new AppError('no_samples', `The ${plan.what} has no data rows${why}.`, { lines: parser.line });
  }
  yield* endWarnings(parser, plan);
  if (plan.fileLabel !== null && parser.firstNs !== null) {
    yield {
      type: 'annotation',
      annotation: { label: plan.fileLabel.label, startNs: parser.firstNs, endNs: parser.lastRowNs(), origin: plan.fileLabel.origin },
    };
  }
}

/** Most lines are garbage: stop early rather than scan a binary file to its end. */
function checkCorrupt(parser: RowParser, plan: Plan): void {
  if (parser.skipped > 1000 && parser.skipped > 10 * parser.rows) {
    throw new AppError(
      'format_corrupt',
      `The ${plan.what} stopped being a table: ${parser.skipped} lines up to line ${parser.line} do not have the ${plan.dialect.fieldCount} fields of the header (first at line ${parser.firstSkipped?.line ?? 0}), against ${parser.rows} good rows.`,
      { line: parser.firstSkipped?.line },
    );
  }
}

function* endWarnings(parser: RowParser, plan: Plan): Generator<ReaderEvent> {
  checkCorrupt(parser, plan);
  if (parser.skipped > 0 && parser.firstSkipped !== null) {
    const { line, reason } = parser.firstSkipped;
    const what = reason === 'time' ? 'a time that cannot be read' : `not ${plan.dialect.fieldCount} fields (or longer than 1 MiB)`;
    yield {
      type: 'warning',
      code: 'csv_lines_skipped',
      message: `${plural(parser.skipped, 'line')} skipped: ${what} (first at line ${line}).`,
      count: parser.skipped,
    };
  }
  if (parser.truncatedLast) {
    yield {
      type: 'warning',
      code: 'truncated_last_line',
      message: `The last line (line ${parser.line}) is cut short (no newline, too few fields), so it was dropped: the file may have been truncated.`,
    };
  }
  if (parser.backwards > 0) {
    yield {
      type: 'warning',
      code: 'time_not_monotonic',
      message: `The time goes backwards ${plural(parser.backwards, 'time')} (first at line ${parser.firstBackwardsLine}); rows were kept in file order.`,
      count: parser.backwards,
    };
  }
  let slot = 0;
  for (const sp of plan.streams) {
    for (const ch of sp.info.channels) {
      const k = parser.nonFinite[slot] ?? 0;
      if (k > 0) {
        yield {
          type: 'warning',
          code: 'csv_non_finite',
          message: `${plural(k, 'value')} of ${sp.info.name}.${ch} ${k === 1 ? 'is' : 'are'} not finite (Infinity, NaN or beyond float32's range; first at line ${parser.nonFiniteLine[slot]}); stored as NaN and counted by the non_finite quality check.`,
          count: k,
        };
      }
      const n = parser.nonNumeric[slot] ?? 0;
      if (n > 0) {
        yield {
          type: 'warning',
          code: 'csv_non_numeric',
          message: `${plural(n, 'value')} of ${sp.info.name}.${ch} ${n === 1 ? 'is not a number' : 'are not numbers'} (first at line ${parser.nonNumericLine[slot]}); stored as missing.`,
          count: n,
        };
      }
      slot++;
    }
  }
  for (let i = 0; i < plan.streams.length; i++) {
    if ((parser.streams[i]?.total ?? 0) === 0) {
      yield { type: 'warning', code: 'stream_empty', message: `Stream ${plan.streams[i]?.info.name ?? ''} has no values in any row, so it was left out.` };
    }
  }
  if (parser.annotationsDropped > 0) {
    yield {
      type: 'warning',
      code: 'annotations_capped',
      message: `The label columns change value more than ${parser.annotationCount} times; the last ${parser.annotationsDropped} label runs were not imported.`,
      count: parser.annotationsDropped,
    };
  }
}
