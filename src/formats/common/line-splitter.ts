/**
 * Splits a byte stream into lines (LF or CRLF) without decoding them: for text formats whose lines are mostly
 * data (GENEActiv's 3,600-digit hex pages). Memory stays bounded: a line longer than `maxLine` is consumed
 * but not kept (it comes back empty with `overlong` set), so garbage without newlines cannot grow a buffer.
 */
export class LineSplitter {
  private readonly it: AsyncIterator<Uint8Array>;
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private carry: Uint8Array;
  private carryLen = 0;
  private done = false;
  /** 1-based number of the line last returned. */
  line = 0;
  /** False when the last line returned ended at the end of the input without a newline. */
  terminated = true;
  /** True when the last line returned was longer than `maxLine` (its bytes were dropped). */
  overlong = false;
  private dropping = false;

  constructor(
    source: AsyncIterable<Uint8Array>,
    private readonly maxLine: number,
  ) {
    this.it = source[Symbol.asyncIterator]();
    this.carry = new Uint8Array(Math.min(maxLine, 8192));
  }

  private keep(part: Uint8Array): void {
    if (this.dropping) return;
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

  private finishLine(line: Uint8Array, terminated: boolean): Uint8Array {
    this.line++;
    this.terminated = terminated;
    this.overlong = this.dropping;
    this.dropping = false;
    const end = line.length > 0 && line[line.length - 1] === 13 ? line.length - 1 : line.length;
    return this.overlong ? line.subarray(0, 0) : line.subarray(0, end);
  }

  /** The next line without its line ending (a view valid until the next call), or null at the end. */
  async next(): Promise<Uint8Array | null> {
    for (;;) {
      const nl = this.buf.indexOf(10, this.pos);
      if (nl >= 0) {
        const start = this.pos;
        this.pos = nl + 1;
        if (this.carryLen === 0 && !this.dropping) return this.finishLine(this.buf.subarray(start, nl), true);
        this.keep(this.buf.subarray(start, nl));
        const len = this.carryLen;
        this.carryLen = 0;
        return this.finishLine(this.carry.subarray(0, len), true);
      }
      this.keep(this.buf.subarray(this.pos));
      this.pos = this.buf.length;
      if (this.done) return null;
      const r = await this.it.next();
      if (r.done === true) {
        this.done = true;
        if (this.carryLen === 0 && !this.dropping) return null;
        const len = this.carryLen;
        this.carryLen = 0;
        return this.finishLine(this.carry.subarray(0, len), false);
      }
      this.buf = r.value;
      this.pos = 0;
    }
  }

  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.it.return?.();
    }
  }
}
