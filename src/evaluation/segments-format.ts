import { AppError } from '../lib/errors.js';
import type { LabeledInterval } from './intervals.js';

/**
 * pyAudioAnalysis `.segments` label files, as the evaluate command reads them: one `start<TAB>end<TAB>label`
 * per line, seconds, no header. Real files have trailing tabs, blank lines and CRLF endings; all are accepted.
 * (Uploads go through src/formats' sidecar reader; this one only serves evaluation inputs.)
 */

/**
 * Parses a `.segments` text into intervals in file order.
 * @throws AppError `validation_failed` naming the line for a line without three fields, a time that is not
 *   a number, or an end before its start.
 */
export function parseSegments(text: string): LabeledInterval[] {
  const out: LabeledInterval[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    const fields = raw.split('\t').map((f) => f.trim());
    while (fields.length > 0 && fields[fields.length - 1] === '') fields.pop();
    const [a, b, label, ...rest] = fields;
    if (a === undefined || b === undefined || label === undefined || label === '' || rest.length > 0) {
      throw new AppError('validation_failed', `Line ${i + 1} of the segments file should be start<TAB>end<TAB>label, got "${raw.slice(0, 80)}".`, { line: i + 1 });
    }
    const startS = Number(a);
    const endS = Number(b);
    if (a === '' || b === '' || !Number.isFinite(startS) || !Number.isFinite(endS)) {
      throw new AppError('validation_failed', `Line ${i + 1} of the segments file has a start or end that is not a number of seconds: "${raw.slice(0, 80)}".`, { line: i + 1 });
    }
    if (endS < startS) {
      throw new AppError('validation_failed', `Line ${i + 1} of the segments file ends (${endS} s) before it starts (${startS} s).`, { line: i + 1 });
    }
    out.push({ label, startS, endS });
  });
  return out;
}

/** Writes intervals as `.segments` text (shortest exact decimal for each time, one line each, final newline). */
export function formatSegments(intervals: readonly LabeledInterval[]): string {
  return intervals.map((iv) => `${iv.startS}\t${iv.endS}\t${iv.label.replace(/[\t\r\n]+/g, ' ')}\n`).join('');
}
