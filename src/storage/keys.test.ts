import { describe, expect, it } from 'vitest';
import { KEY_PART_MAX, keys } from './keys.js';

describe('object keys', () => {
  it('are built from ids and valid stream names', () => {
    expect(keys.streamParquet('rec_abc', '1.0.0', 'accelerometer')).toBe('derived/rec_abc/v1_0_0/streams/accelerometer.parquet');
    expect(keys.rawUpload('std_a', 'par_b', 'upl_c')).toBe('raw/std_a/par_b/upl_c');
  });

  it('refuse user text and over-long segments, naming the problem briefly', () => {
    expect(() => keys.streamLod('rec_abc', '1.0.0', '../x')).toThrow(/unsafe stream name/);
    expect(() => keys.streamLod('rec_abc', '1.0.0', 'ü')).toThrow(/unsafe stream name/);
    expect(() => keys.streamLod('rec_abc', '1.0.0', 'a'.repeat(KEY_PART_MAX))).not.toThrow();
    const long = (): string => keys.streamParquet('rec_abc', '1.0.0', 'a'.repeat(10_000));
    expect(long).toThrow(/10000 characters; at most 64/);
    expect(() => long()).toThrow(/^.{0,300}$/s);
  });
});
