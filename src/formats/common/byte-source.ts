/**
 * Small helpers to read an `AsyncIterable<Uint8Array>` (an upload, an S3 body, a file stream) the way a
 * format reader needs: exact byte counts for headers, skipping, and arbitrary-size pieces for payloads.
 * Memory stays bounded: at most one source chunk plus the bytes a caller asked for are held at once.
 */

/** Pull-based reader over a stream of byte chunks that may arrive in any size (even 1 byte). */
export class ByteReader {
  private readonly it: AsyncIterator<Uint8Array>;
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private done = false;
  /** Bytes consumed so far (read or skipped), i.e. the file offset of the next byte. */
  offset = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Makes sure some unread bytes are buffered; false at end of input. */
  private async fill(): Promise<boolean> {
    while (this.pos >= this.buf.length) {
      if (this.done) return false;
      const r = await this.it.next();
      if (r.done === true) {
        this.done = true;
        return false;
      }
      this.buf = r.value;
      this.pos = 0;
    }
    return true;
  }

  /**
   * Reads exactly `n` bytes into a new array; returns fewer (possibly 0) only when the input ends first.
   */
  async readExact(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n && (await this.fill())) {
      const take = Math.min(n - got, this.buf.length - this.pos);
      out.set(this.buf.subarray(this.pos, this.pos + take), got);
      this.pos += take;
      got += take;
    }
    this.offset += got;
    return got === n ? out : out.subarray(0, got);
  }

  /** Skips `n` bytes; returns how many were really skipped (fewer when the input ends). */
  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n && (await this.fill())) {
      const take = Math.min(n - skipped, this.buf.length - this.pos);
      this.pos += take;
      skipped += take;
    }
    this.offset += skipped;
    return skipped;
  }

  /**
   * Returns the next piece of at most `max` bytes as it arrived (a view, valid until the next call), or
   * null at end of input.
   */
  async readSome(max: number): Promise<Uint8Array | null> {
    if (!(await this.fill())) return null;
    const take = Math.min(max, this.buf.length - this.pos);
    const out = this.buf.subarray(this.pos, this.pos + take);
    this.pos += take;
    this.offset += take;
    return out;
  }

  /** Stops reading: lets the source release its resources (file handle, socket). */
  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.it.return?.();
    }
  }
}

/**
 * Reads the first `maxBytes` of a source for sniffing and returns them with a source that replays the
 * whole input (head first, then the rest), so a file is read once even when it must be sniffed first.
 */
export async function peekHead(
  source: AsyncIterable<Uint8Array>,
  maxBytes = 64 * 1024,
): Promise<{ head: Uint8Array; source: AsyncIterable<Uint8Array> }> {
  const it = source[Symbol.asyncIterator]();
  const pieces: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  while (size < maxBytes) {
    const r = await it.next();
    if (r.done === true) {
      ended = true;
      break;
    }
    pieces.push(r.value);
    size += r.value.length;
  }
  const all = concatBytes(pieces);
  const head = all.subarray(0, Math.min(maxBytes, all.length));
  async function* replay(): AsyncGenerator<Uint8Array> {
    if (all.length > 0) yield all;
    if (ended) return;
    for (;;) {
      const r = await it.next();
      if (r.done === true) return;
      yield r.value;
    }
  }
  return { head, source: replay() };
}

/** Concatenates byte arrays into one new array (no copy when there is exactly one). */
export function concatBytes(pieces: readonly Uint8Array[]): Uint8Array {
  if (pieces.length === 1 && pieces[0] !== undefined) return pieces[0];
  let n = 0;
  for (const p of pieces) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of pieces) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Yields `bytes` in pieces of `size` bytes (tests, and callers that hold a whole small file). */
export async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) {
    yield bytes.subarray(i, Math.min(bytes.length, i + size));
    await Promise.resolve();
  }
}
