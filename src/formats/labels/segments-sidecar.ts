/**
 * Sidecar label files of the `.segments` kind (pyAudioAnalysis and similar tools): one segment per line,
 * `start_seconds<TAB>end_seconds<TAB>label`, no header. Trailing tabs, CRLF and blank lines occur and are
 * accepted; `#` lines are comments. Times are relative to the recording's start (ns from 0).
 */

import type { ImportedLabel } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';

/** A sidecar larger than this is not a label file. */
export const MAX_SEGMENTS_BYTES = 8 * 1024 * 1024;
export const MAX_SEGMENTS = 100_000;
const MAX_LABEL_CHARS = 200;
/** Longest time accepted: 10 years in seconds. */
const MAX_SECONDS = 315_576_000;

/** `12.345` → 12,345,000,000 ns exactly (no float rounding); null when it is not a plain decimal. */
function secondsToNs(text: string): bigint | null {
  const m = /^\+?(\d{1,12})(?:[.,](\d*))?$/.exec(text);
  if (m === null || Number(m[1]) > MAX_SECONDS) return null;
  const frac = (m[2] ?? '').slice(0, 9).padEnd(9, '0');
  return BigInt(m[1] ?? '0') * 1_000_000_000n + BigInt(frac);
}

/**
 * Parses a `.segments` file into imported labels on the recording's relative time axis.
 * @param origin where the labels came from, for people (`count.segments`)
 * @throws AppError `csv_invalid` naming the first bad line; `format_limits` past the size or count caps.
 */
export function parseSegments(input: string | Uint8Array, origin: string): ImportedLabel[] {
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > MAX_SEGMENTS_BYTES) {
    throw new AppError('format_limits', `The segments file "${origin}" is ${size} bytes; a label sidecar is at most ${MAX_SEGMENTS_BYTES} bytes.`);
  }
  let text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: false }).decode(input);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const labels: ImportedLabel[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/[\r\t ]+$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const n = i + 1;
    const parts = line.includes('\t') ? line.split('\t') : line.trim().split(/\s+/);
    const [startText = '', endText = '', ...rest] = parts.map((p) => p.trim());
    const label = rest.join(' ').trim();
    const bad = (why: string): AppError =>
      new AppError('csv_invalid', `Line ${n} of "${origin}" ${why}: expected "start_seconds<TAB>end_seconds<TAB>label", got ${JSON.stringify(line.slice(0, 80))}.`, { line: n });
    const startNs = secondsToNs(startText);
    const endNs = secondsToNs(endText);
    if (startNs === null) throw bad(`has a start time that is not a number of seconds`);
    if (endNs === null) throw bad(`has an end time that is not a number of seconds`);
    if (endNs < startNs) throw bad('ends before it starts');
    if (label === '') throw bad('has no label');
    if (labels.length >= MAX_SEGMENTS) {
      throw new AppError('format_limits', `"${origin}" has more than ${MAX_SEGMENTS} segments; FieldSense imports at most ${MAX_SEGMENTS} labels from one file.`, { line: n });
    }
    labels.push({ label: label.slice(0, MAX_LABEL_CHARS), startNs, endNs, origin });
  }
  return labels;
}
