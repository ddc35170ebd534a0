import { AppError } from '../../lib/errors.js';

/**
 * A pull tokenizer for JSON over bytes that arrive in pieces, for exports too large to `JSON.parse`
 * (Sensor Logger's JSON runs to hundreds of MB). It validates the grammar (commas, colons, nesting) with an
 * explicit stack capped at `maxDepth` — 100,000 nested brackets fail with `json_too_deep`, never a stack
 * overflow — and hands out tokens as byte ranges of its buffer, so callers parse numbers and compare keys
 * without making strings. Memory: the unconsumed tail of the last piece plus the next piece; one token may
 * not exceed `maxTokenBytes`.
 */

/*
 * Hand-written rather than @streamparser/json, on benchmark and safety evidence. Measured 2026-12-03 on the
 * 2-core project machine (Node 20.20; other work kept its load average near 10, so CPU seconds are the steadier
 * figure, wall-clock ranges over 2–3 runs), @streamparser/json 0.0.26 installed in a scratch folder outside the
 * repository, over a 300 MB Sensor Logger-like export (`[{"sensor","time":"1700000000000000000",
 * "seconds_elapsed","z","y","x"}, …]`, all values strings, 1.87 M records) read from a file stream in 64 KiB
 * pieces:
 *   - tokens only — `JsonTokenizer.feed/next` 1.55 CPU-s (2.0–2.8 s, 107–152 MB/s); the library's
 *     `new Tokenizer().write(piece)` with an empty onToken 8.15 CPU-s (9.4–11.6 s, 26–32 MB/s): 5.3× the CPU.
 *     Peak RSS 116 vs 86 MiB (idle tsx 76 MiB), flat for both from 30 MB to 300 MB;
 *   - whole records — `sensorLoggerJsonReader` (typed-array chunks out) 3.3 CPU-s (3.8–6.2 s, 49–79 MB/s);
 *     the library's `JSONParser({ paths: ['$.*'], keepStack: false })` handing over one object per record, plus
 *     only `BigInt(time)` and `Number()` of x/y/z, 13.3 CPU-s (15.5–17.9 s, 17–19 MB/s): 4× the CPU.
 * Safety properties the library lacks: no depth cap (100,000 `[` are accepted and its value stack grows to
 * 100,000 entries; here `json_too_deep` at 64), no token-length cap (one 200 MB string is buffered whole, RSS 296 MiB;
 * here `format_limits` past `maxTokenBytes`), numbers become doubles (`1700000000000000001` →
 * `1700000000000000000` unless `parseNumber` is overridden; here numbers are byte ranges parsed exactly by
 * csv-fields), and every key and value is a JS string before the caller can compare or parse it.
 * Reproduce: `npm i @streamparser/json@0.0.26` in a scratch folder; under tsx, drive each loop above from
 * `createReadStream(file, { highWaterMark: 65536 })`, reading `process.cpuUsage()` and
 * `process.resourceUsage().maxRSS` (one process per run).
 */

export const T_NEED_MORE = 0;
export const T_END = 1;
export const T_BEGIN_OBJECT = 2;
export const T_END_OBJECT = 3;
export const T_BEGIN_ARRAY = 4;
export const T_END_ARRAY = 5;
export const T_KEY = 6;
export const T_STRING = 7;
export const T_NUMBER = 8;
export const T_TRUE = 9;
export const T_FALSE = 10;
export const T_NULL = 11;

const S_VALUE = 0;
const S_VALUE_OR_END = 1;
const S_KEY_OR_END = 2;
const S_KEY = 3;
const S_COLON = 4;
const S_COMMA_OR_END = 5;
const S_DONE = 6;

const IN_OBJECT = 1;
const IN_ARRAY = 2;

const QUOTE = 34;
const BACKSLASH = 92;

const EMPTY = new Uint8Array(0);

function isWhitespace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function isNumberByte(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69;
}

const ascii = new TextDecoder('utf-8', { fatal: false });

export class JsonTokenizer {
  /** The bytes being tokenized; token ranges index into it (valid until the next `feed`). */
  buf: Uint8Array = EMPTY;
  /** Next unread byte of `buf`. */
  pos = 0;
  /** File offset of `buf[0]`. */
  base = 0;
  /** Range of the last string/key (without quotes) or number token in `buf`. */
  start = 0;
  end = 0;
  /** The last string/key contains backslash escapes (decode with `text()`). */
  escaped = false;
  /** Current nesting depth (open objects and arrays). */
  depth = 0;
  private readonly stack: Uint8Array;
  private state = S_VALUE;
  private ended = false;

  constructor(
    private readonly maxDepth = 64,
    private readonly maxTokenBytes = 1 << 20,
  ) {
    this.stack = new Uint8Array(maxDepth + 1);
  }

  /** Adds the next piece of input (keeps the unconsumed tail of the previous one). */
  feed(piece: Uint8Array): void {
    const rest = this.buf.length - this.pos;
    if (rest === 0) {
      this.base += this.buf.length;
      this.buf = piece;
    } else {
      const next = new Uint8Array(rest + piece.length);
      next.set(this.buf.subarray(this.pos));
      next.set(piece, rest);
      this.base += this.pos;
      this.buf = next;
    }
    this.pos = 0;
  }

  /** Declares the end of input: `next()` then returns T_END or throws format_truncated. */
  finish(): void {
    this.ended = true;
  }

  /** File offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** The container the tokenizer is in: 1 object, 2 array, 0 top level. */
  get container(): number {
    return this.depth === 0 ? 0 : this.stack[this.depth]!;
  }

  private fail(what: string): never {
    const c = this.buf[this.pos];
    const found = c === undefined ? 'the end of the input' : c >= 32 && c < 127 ? JSON.stringify(String.fromCharCode(c)) : `byte 0x${c.toString(16)}`;
    throw new AppError('format_corrupt', `Invalid JSON at byte ${this.offset}: expected ${what}, found ${found}.`, { offset: this.offset });
  }

  private needMore(): number {
    if (this.ended) {
      const where = this.depth > 0 ? `inside ${this.depth} open bracket(s)` : 'before its value is complete';
      throw new AppError('format_truncated', `The JSON ends at byte ${this.offset} ${where}: the file was cut.`, { offset: this.offset });
    }
    if (this.buf.length - this.pos > this.maxTokenBytes) {
      throw new AppError('format_limits', `A JSON value at byte ${this.offset} is longer than ${this.maxTokenBytes} bytes; no export writes one that long.`, { offset: this.offset });
    }
    return T_NEED_MORE;
  }

  private push(kind: number): void {
    if (this.depth >= this.maxDepth) {
      throw new AppError('json_too_deep', `The JSON nests deeper than ${this.maxDepth} levels at byte ${this.offset}; no sensor export does that.`, { offset: this.offset });
    }
    this.stack[++this.depth] = kind;
  }

  private afterValue(): void {
    this.state = this.depth === 0 ? S_DONE : S_COMMA_OR_END;
  }

  /** Scans a string starting at the quote at `pos`; sets start/end/escaped. */
  private scanString(): boolean {
    const b = this.buf;
    const n = b.length;
    let i = this.pos + 1;
    let escaped = false;
    while (i < n) {
      const c = b[i]!;
      if (c === QUOTE) {
        this.start = this.pos + 1;
        this.end = i;
        this.escaped = escaped;
        this.pos = i + 1;
        return true;
      }
      if (c === BACKSLASH) {
        escaped = true;
        i += 2;
        continue;
      }
      if (c < 32) {
        this.pos = i;
        this.fail('a closing quote (control characters must be escaped)');
      }
      i++;
    }
    return false;
  }

  private literal(word: string, token: number): number {
    const b = this.buf;
    if (this.pos + word.length > b.length) return this.needMore();
    for (let k = 0; k < word.length; k++) {
      if (b[this.pos + k] !== word.charCodeAt(k)) this.fail('a JSON value');
    }
    this.pos += word.length;
    this.afterValue();
    return token;
  }

  private value(c: number): number {
    if (c === QUOTE) {
      if (!this.scanString()) return this.needMore();
      this.afterValue();
      return T_STRING;
    }
    if (c === 123) {
      this.push(IN_OBJECT);
      this.pos++;
      this.state = S_KEY_OR_END;
      return T_BEGIN_OBJECT;
    }
    if (c === 91) {
      this.push(IN_ARRAY);
      this.pos++;
      this.state = S_VALUE_OR_END;
      return T_BEGIN_ARRAY;
    }
    if (c === 45 || (c >= 48 && c <= 57)) {
      const b = this.buf;
      let i = this.pos + 1;
      while (i < b.length && isNumberByte(b[i]!)) i++;
      if (i === b.length && !this.ended) return this.needMore();
      this.start = this.pos;
      this.end = i;
      this.pos = i;
      this.afterValue();
      return T_NUMBER;
    }
    if (c === 116) return this.literal('true', T_TRUE);
    if (c === 102) return this.literal('false', T_FALSE);
    if (c === 110) return this.literal('null', T_NULL);
    return this.fail('a JSON value');
  }

  /** The next token, or T_NEED_MORE when the buffered input ends inside one (feed more, or finish). */
  next(): number {
    const b = this.buf;
    for (;;) {
      while (this.pos < b.length && isWhitespace(b[this.pos]!)) this.pos++;
      if (this.pos >= b.length) {
        if (this.ended) {
          if (this.state === S_DONE) return T_END;
          return this.needMore();
        }
        return T_NEED_MORE;
      }
      const c = b[this.pos]!;
      switch (this.state) {
        case S_VALUE:
          return this.value(c);
        case S_VALUE_OR_END:
          if (c === 93) {
            this.pos++;
            this.depth--;
            this.afterValue();
            return T_END_ARRAY;
          }
          return this.value(c);
        case S_KEY_OR_END:
        case S_KEY:
          if (c === 125 && this.state === S_KEY_OR_END) {
            this.pos++;
            this.depth--;
            this.afterValue();
            return T_END_OBJECT;
          }
          if (c !== QUOTE) this.fail('a quoted key');
          if (!this.scanString()) return this.needMore();
          this.state = S_COLON;
          return T_KEY;
        case S_COLON:
          if (c !== 58) this.fail('":"');
          this.pos++;
          this.state = S_VALUE;
          continue;
        case S_COMMA_OR_END: {
          const top = this.stack[this.depth];
          if (c === 44) {
            this.pos++;
            this.state = top === IN_OBJECT ? S_KEY : S_VALUE;
            continue;
          }
          if ((c === 125 && top === IN_OBJECT) || (c === 93 && top === IN_ARRAY)) {
            this.pos++;
            this.depth--;
            this.afterValue();
            return c === 125 ? T_END_OBJECT : T_END_ARRAY;
          }
          return this.fail(top === IN_OBJECT ? '"," or "}"' : '"," or "]"');
        }
        default:
          return this.fail('nothing after the end of the JSON value');
      }
    }
  }

  /** The last string/key token as a JS string (escapes decoded). */
  text(): string {
    const { buf, start, end } = this;
    if (this.escaped) {
      try {
        return JSON.parse(ascii.decode(buf.subarray(start - 1, end + 1))) as string;
      } catch {
        throw new AppError('format_corrupt', `Invalid escape in a JSON string at byte ${this.base + start}.`, { offset: this.base + start });
      }
    }
    if (end - start <= 64) {
      let s = '';
      let i = start;
      for (; i < end; i++) {
        const c = buf[i]!;
        if (c >= 128) break;
        s += String.fromCharCode(c);
      }
      if (i === end) return s;
    }
    return ascii.decode(buf.subarray(start, end));
  }

  /** True when the last string/key token is exactly the ASCII bytes `expected`. */
  equals(expected: Uint8Array): boolean {
    const len = this.end - this.start;
    if (len !== expected.length || this.escaped) return false;
    const b = this.buf;
    for (let i = 0; i < len; i++) if (b[this.start + i] !== expected[i]) return false;
    return true;
  }
}
