import type { ReaderEvent } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { MAX_SEGMENTS_BYTES, parseSegments } from './segments-sidecar.js';
import type { FormatReader, ReaderContext, SniffInput } from '../types.js';

const LINE = /^\s*\d+(?:[.,]\d+)?\t\d+(?:[.,]\d+)?\t[^\t\r\n]+\t?\s*$/;

/**
 * A `.segments` label sidecar (`start<TAB>end<TAB>label`, times in seconds from the recording's start) that
 * comes with a recording — inside a ZIP next to the audio, say. It carries labels, no samples: its labels
 * become imported annotations on the recording's relative time axis.
 */
export const segmentsLabelsReader: FormatReader = {
  name: 'segments-labels',
  description: 'label sidecar (.segments: start<TAB>end<TAB>label per line), inside a ZIP with its recording',
  sniff({ head }: SniffInput): boolean {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, 8192));
    const lines = text.split('\n');
    if (head.length > 8192) lines.pop(); // a cut last line
    const filled = lines.map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
    return filled.length > 0 && filled.every((l) => LINE.test(l));
  },
  async *read(source: AsyncIterable<Uint8Array>, ctx: ReaderContext): AsyncGenerator<ReaderEvent> {
    const parts: Uint8Array[] = [];
    let size = 0;
    for await (const b of source) {
      size += b.length;
      if (size > MAX_SEGMENTS_BYTES) throw new AppError('format_limits', `The label file "${ctx.filename}" is larger than ${MAX_SEGMENTS_BYTES} bytes; a label sidecar is smaller.`);
      parts.push(b);
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    yield { type: 'recording', startTimeNs: null, absoluteTime: false };
    for (const annotation of parseSegments(bytes, ctx.filename)) yield { type: 'annotation', annotation };
  },
};
