import { AppError } from '../../lib/errors.js';

/**
 * The one line splitter of the text readers: turns a byte stream into complete lines (LF or CRLF), without
 * decoding them, either one at a time (`next`, for headers and line-by-line formats such as GENEActiv's hex
 * pages) or as runs of whole lines straight from the incoming pieces (`nextRun`, for the row hot loops, which
 * then never see a partial line). What it buffers is bounded: only a line split across pieces is copied, into
 * a carry of at most `maxLine` bytes; a longer one is consumed but not kept, and comes back marked overlong
 * (no bytes) so that its reader can skip it or reject the file with `lineTooLong` (`format_limits`). A line
 * that arrives whole inside one piece is handed out as it came: it is already in memory. The last line is
 * handed out whether or not it ends with a newline (`terminated` says which); an optional UTF-8 BOM at the
 * start of the stream is dropped.
 */

const LF = 10;
const CR = 13;
const EMPTY = new Uint8Array(0);

export interface LineSplitterOptions {
  /** Longest line kept when it has to be carried across pieces (bytes, without its line ending). */
  maxLine: number;
  /** Drop a UTF-8 byte order mark (EF BB BF) that starts the stream. */
  bom?: boolean;
}

/**
 * What `nextRun` hands out; `bytes[start, end)`, valid until the next call:
 * - `lines`: one or more whole lines, each ending with its LF inside the run (a CR before it is kept);
 * - `line`: one line without its LF (a CR before it is kept): a line that was carried across pieces, or the
 *   stream's last line when `terminated` is false;
 * - `overlong`: a line longer than `maxLine` that was carried and dropped (no bytes).
 */
export interface LineRun {
  kind: 'lines' | 'line' | 'overlong';
  bytes: Uint8Array;
  start: number;
  end: number;
  /** False for the stream's last line when it has no newline. */
  terminated: boolean;
}

/** The `format_limits` error of a reader that rejects a line longer than its limit. */
export function lineTooLong(line: number, maxLine: number, what: string): AppError {
  return new AppError('format_limits', `Line ${line} is longer than ${maxLine} bytes; this is not a ${what}.`, { line, maxLineBytes: maxLine });
}

export class LineSplitter {
  private readonly it: AsyncIterator<Uint8Array>;
  private readonly maxLine: number;
  private bomPending: boolean;
  private buf: Uint8Array = EMPTY;
  private pos = 0;
  private carry: Uint8Array;
  private carryLen = 0;
  /** The line being carried passed `maxLine`: its bytes are dropped up to its newline. */
  private dropping = false;
  private done = false;
  /** Lines returned by `next` (1-based number of the last one); runs are counted by their consumer. */
  line = 0;
  /** False when the last line returned by `next` ended at the end of the input without a newline. */
  terminated = true;
  /** True when the last line returned by `next` was longer than `maxLine` (its bytes were dropped). */
  overlong = false;

  constructor(source: AsyncIterable<Uint8Array>, options: LineSplitterOptions) {
    this.it = source[Symbol.asyncIterator]();
    this.maxLine = options.maxLine;
    this.bomPending = options.bom === true;
    this.carry = new Uint8Array(Math.min(options.maxLine, 8192));
  }

  /** The next line without its line ending (a view valid until the next call), or null at the end. */
  async next(): Promise<Uint8Array | null> {
    for (;;) {
      const nl = this.buf.indexOf(LF, this.pos);
      if (nl >= 0) {
        const start = this.pos;
        this.pos = nl + 1;
        if (this.carryLen === 0 && !this.dropping) return this.lineOf(this.buf, start, nl, true);
        this.keep(this.buf.subarray(start, nl));
        return this.carriedLine(true);
      }
      this.keep(this.buf.subarray(this.pos));
      this.pos = this.buf.length;
      if (!(await this.pull())) return this.carryLen === 0 && !this.dropping ? null : this.carriedLine(false);
    }
  }

  /**
   * The next run of whole lines (see LineRun), or null at the end. Runs of `lines` come straight from the
   * incoming pieces, so a hot loop parses them in place; only a line split across pieces is copied.
   */
  async nextRun(): Promise<LineRun | null> {
    for (;;) {
      const b = this.buf;
      if (this.pos < b.length) {
        if (this.carryLen > 0 || this.dropping) {
          const nl = b.indexOf(LF, this.pos);
          if (nl >= 0) {
            this.keep(b.subarray(this.pos, nl));
            this.pos = nl + 1;
            return this.carriedRun(true);
          }
        } else {
          const last = b.lastIndexOf(LF);
          if (last >= this.pos) {
            const start = this.bomAt(b, this.pos, last);
            this.pos = last + 1;
            return { kind: 'lines', bytes: b, start, end: last + 1, terminated: true };
          }
        }
        this.keep(b.subarray(this.pos));
        this.pos = b.length;
      }
      if (!(await this.pull())) return this.carryLen === 0 && !this.dropping ? null : this.carriedRun(false);
    }
  }

  /** Bytes held for a line carried across pieces: grows with such lines, never past `maxLine`. */
  get carryCapacity(): number {
    return this.carry.length;
  }

  /** Stops reading (the source is closed if it was not finished). */
  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.it.return?.();
    }
  }

  /** Takes the next piece; false at the end of the input. */
  private async pull(): Promise<boolean> {
    if (this.done) return false;
    const r = await this.it.next();
    if (r.done === true) {
      this.done = true;
      this.buf = EMPTY;
      this.pos = 0;
      return false;
    }
    this.buf = r.value;
    this.pos = 0;
    return true;
  }

  /** Appends part of the line being carried, or starts dropping it once it passes `maxLine`. */
  private keep(part: Uint8Array): void {
    if (this.dropping || part.length === 0) return;
    if (this.carryLen + part.length > this.maxLine) {
      this.dropping = true;
      this.carryLen = 0;
      return;
    }
    if (this.carryLen + part.length > this.carry.length) {
      const bigger = new Uint8Array(Math.min(this.maxLine, Math.max(this.carry.length * 2, this.carryLen + part.length)));
      bigger.set(this.carry.subarray(0, this.carryLen));
      this.carry = bigger;
    }
    this.carry.set(part, this.carryLen);
    this.carryLen += part.length;
  }

  /** Index after a BOM at `start` if one is still to be dropped (only the stream's first bytes can hold it). */
  private bomAt(b: Uint8Array, start: number, end: number): number {
    if (!this.bomPending) return start;
    this.bomPending = false;
    return end - start >= 3 && b[start] === 0xef && b[start + 1] === 0xbb && b[start + 2] === 0xbf ? start + 3 : start;
  }

  private carriedRun(terminated: boolean): LineRun {
    const len = this.carryLen;
    this.carryLen = 0;
    if (this.dropping) {
      this.dropping = false;
      this.bomPending = false;
      return { kind: 'overlong', bytes: EMPTY, start: 0, end: 0, terminated };
    }
    return { kind: 'line', bytes: this.carry, start: this.bomAt(this.carry, 0, len), end: len, terminated };
  }

  private carriedLine(terminated: boolean): Uint8Array {
    const len = this.carryLen;
    this.carryLen = 0;
    if (this.dropping) {
      this.dropping = false;
      this.bomPending = false;
      this.line++;
      this.terminated = terminated;
      this.overlong = true;
      return EMPTY;
    }
    return this.lineOf(this.carry, 0, len, terminated);
  }

  private lineOf(b: Uint8Array, s: number, e: number, terminated: boolean): Uint8Array {
    this.line++;
    this.terminated = terminated;
    this.overlong = false;
    const start = this.bomAt(b, s, e);
    const end = e > start && b[e - 1] === CR ? e - 1 : e;
    return b.subarray(start, Math.max(start, end));
  }
}
