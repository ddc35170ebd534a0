import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { edgeImpulseReader, labelFromFilename } from './edge-impulse.reader.js';
import { appError, collect } from '../common/reader-collect.test-support.js';

const KEY = 'ei-study-hmac-key';
const ZEROS = '0'.repeat(64);

/** A minimal CBOR encoder for the tests (maps, arrays, text, ints, float32/64, booleans, null). */
function cbor(v: unknown, float32 = false): Uint8Array {
  const out: number[] = [];
  const head = (major: number, n: number): void => {
    if (n < 24) out.push((major << 5) | n);
    else if (n < 256) out.push((major << 5) | 24, n);
    else if (n < 65536) out.push((major << 5) | 25, n >> 8, n & 0xff);
    else out.push((major << 5) | 26, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  };
  const walk = (x: unknown): void => {
    if (x === null) out.push(0xf6);
    else if (x === true) out.push(0xf5);
    else if (x === false) out.push(0xf4);
    else if (typeof x === 'number') {
      if (Number.isInteger(x) && Math.abs(x) < 2 ** 31) head(x >= 0 ? 0 : 1, x >= 0 ? x : -1 - x);
      else {
        const b = Buffer.alloc(float32 ? 5 : 9);
        b[0] = float32 ? 0xfa : 0xfb;
        if (float32) b.writeFloatBE(x, 1);
        else b.writeDoubleBE(x, 1);
        out.push(...b);
      }
    } else if (typeof x === 'string') {
      const b = Buffer.from(x, 'utf8');
      head(3, b.length);
      out.push(...b);
    } else if (Array.isArray(x)) {
      head(4, x.length);
      x.forEach(walk);
    } else if (typeof x === 'object') {
      const entries = Object.entries(x as Record<string, unknown>);
      head(5, entries.length);
      for (const [k, val] of entries) {
        walk(k);
        walk(val);
      }
    }
  };
  walk(v);
  return new Uint8Array(out);
}

interface Sample {
  protected: { ver: string; alg: string; iat?: number };
  signature: string;
  payload: Record<string, unknown>;
}

function sample(alg = 'HS256', values: unknown = [[-9.81, 0.03, 1.21, 90], [-9.83, 0.04, 1.27, -180], [-9.12, 0.03, 1.23, 0]]): Sample {
  return {
    protected: { ver: 'v1', alg, iat: 1564128599 },
    signature: ZEROS,
    payload: {
      device_name: 'ac:87:a3:0a:2d:1b',
      device_type: 'DISCO-L475VG-IOT01A',
      interval_ms: 10,
      sensors: [
        { name: 'accX', units: 'm/s2' },
        { name: 'accY', units: 'm/s2' },
        { name: 'accZ', units: 'm/s2' },
        { name: 'gyrX', units: 'dps' },
      ],
      values,
    },
  };
}

/** Serialises and signs as Edge Impulse does: HMAC-SHA256 over the file with 64 zeros as signature. */
function signed(doc: Sample, format: 'json' | 'json-pretty' | 'cbor', key = KEY): Uint8Array {
  const ser = (d: Sample): Uint8Array =>
    format === 'cbor' ? cbor(d, true) : new TextEncoder().encode(format === 'json' ? JSON.stringify(d) : JSON.stringify(d, null, 2));
  const zeroed = ser({ ...doc, signature: ZEROS });
  const sig = doc.protected.alg === 'HS256' ? createHmac('sha256', key).update(zeroed).digest('hex') : ZEROS;
  return ser({ ...doc, signature: sig });
}

describe('edge-impulse reader', () => {
  it('reads a JSON sample: streams by unit, SI units, times from interval_ms, label from the file name', async () => {
    const r = await collect(edgeImpulseReader, signed(sample(), 'json'), 'idle.1a2b3c.json');
    expect(r.recording).toEqual({ type: 'recording', startTimeNs: null, absoluteTime: false });
    const acc = r.stream('accelerometer');
    expect(acc.info).toEqual({ name: 'accelerometer', kind: 'imu', sensor: 'accelerometer', channels: ['x', 'y', 'z'], unit: 'm/s^2', nominalRateHz: 100 });
    expect(acc.t).toEqual([0n, 10_000_000n, 20_000_000n]);
    expect(acc.col('x')).toEqual([Math.fround(-9.81), Math.fround(-9.83), Math.fround(-9.12)]);
    const gyr = r.stream('gyroscope');
    expect(gyr.info).toMatchObject({ unit: 'rad/s', originalUnit: 'deg/s', channels: ['gyrX'] });
    expect(gyr.col('gyrX')).toEqual([Math.fround(Math.PI / 2), Math.fround(-Math.PI), 0]);
    expect(r.annotations).toEqual([{ label: 'idle', startNs: 0n, endNs: 30_000_000n, origin: 'Edge Impulse file name "idle.1a2b3c.json"' }]);
    expect(r.metadata[0]).toMatchObject({
      device: { model: 'DISCO-L475VG-IOT01A', serial: 'ac:87:a3:0a:2d:1b', app: 'Edge Impulse' },
      session: { signatureAlg: 'HS256', createdAt: '2019-07-26T08:09:59.000Z' },
    });
    expect(r.warnings).toEqual([]);
  });

  it('a 6-axis sample gives an accelerometer and a gyroscope stream, x, y, z each, grouped by sensor and unit', async () => {
    const six = (accUnits: string, gyrUnits: string): Sample => {
      const doc = sample('none', [[0.5, -9.8, 1.25, 90, -180, 45], [0.25, -9.7, 1.5, 0, 360, -90]]);
      doc.payload.sensors = ['accX', 'accY', 'accZ', 'gyrX', 'gyrY', 'gyrZ'].map((name, i) => ({ name, units: i < 3 ? accUnits : gyrUnits }));
      return doc;
    };
    for (const [acc, gyr, factor, originalUnit] of [['m/s2', 'deg/s', Math.PI / 180, 'deg/s'], ['m/s2', 'rad/s', 1, undefined], ['N/A', 'N/A', 1, undefined]] as const) {
      const r = await collect(edgeImpulseReader, signed(six(acc, gyr), 'json'), 'walk.s1.json');
      expect([...r.streams.keys()]).toEqual(['accelerometer', 'gyroscope']);
      const a = r.stream('accelerometer');
      expect(a.info).toMatchObject({ kind: 'imu', sensor: 'accelerometer', channels: ['x', 'y', 'z'], unit: acc === 'N/A' ? 'unknown' : 'm/s^2' });
      expect(a.col('y')).toEqual([Math.fround(-9.8), Math.fround(-9.7)]);
      const g = r.stream('gyroscope');
      expect(g.info).toMatchObject({ kind: 'imu', sensor: 'gyroscope', channels: ['x', 'y', 'z'], unit: gyr === 'N/A' ? 'unknown' : 'rad/s' });
      expect(g.info.originalUnit).toBe(originalUnit);
      expect(g.col('y')).toEqual([Math.fround(-180 * factor), Math.fround(360 * factor)]);
    }
  });

  it('puts channels in x, y, z order whatever order the file lists them in', async () => {
    const doc = sample('none', [[3, 1, 2]]);
    doc.payload.sensors = [{ name: 'accZ', units: 'g' }, { name: 'accX', units: 'g' }, { name: 'accY', units: 'g' }];
    const r = await collect(edgeImpulseReader, signed(doc, 'json'), 'x.json');
    expect(r.stream('accelerometer').info).toMatchObject({ channels: ['x', 'y', 'z'], unit: 'm/s^2', originalUnit: 'g' });
    expect(r.stream('accelerometer').col('x')).toEqual([Math.fround(9.80665)]);
    expect(r.stream('accelerometer').col('z')).toEqual([Math.fround(3 * 9.80665)]);
  });

  it('verifies HS256 signatures of JSON and CBOR with the study key', async () => {
    for (const format of ['json', 'json-pretty', 'cbor'] as const) {
      const file = signed(sample(), format);
      const ok = await collect(edgeImpulseReader, file, 'wave.s1.json', { secrets: { edgeImpulseHmacKey: KEY } });
      expect(ok.stream('accelerometer').rows).toBe(3);
      const wrongKey = await appError(() => collect(edgeImpulseReader, file, 'wave.s1.json', { secrets: { edgeImpulseHmacKey: 'other-key' } }));
      expect(wrongKey.code).toBe('signature_invalid');
      // The same signature on changed values: what a file edited after signing looks like.
      const changed = sample('HS256', [[-9.81, 0.03, 1.21, 90], [-9.83, 0.04, 1.27, -180], [-9.12, 0.03, 1.23, 1]]);
      changed.signature = sigOf(file, format);
      const forged = format === 'cbor' ? cbor(changed, true) : new TextEncoder().encode(format === 'json' ? JSON.stringify(changed) : JSON.stringify(changed, null, 2));
      const e = await appError(() => collect(edgeImpulseReader, forged, 'wave.s1.json', { secrets: { edgeImpulseHmacKey: KEY } }));
      expect(e.code).toBe('signature_invalid');
    }
  });

  it('reads CBOR samples with float32 values', async () => {
    const r = await collect(edgeImpulseReader, signed(sample(), 'cbor'), 'updown.22.cbor');
    expect(r.stream('accelerometer').col('z')).toEqual([Math.fround(1.21), Math.fround(1.27), Math.fround(1.23)]);
    expect(r.annotations[0]?.label).toBe('updown');
  });

  it('accepts unsigned files with a warning when the study has a key', async () => {
    const r = await collect(edgeImpulseReader, signed(sample('none'), 'json'), 'x.json', { secrets: { edgeImpulseHmacKey: KEY } });
    expect(r.warnings.map((w) => w.code)).toEqual(['signature_unverified']);
    expect(r.annotations).toEqual([]);
    const noKey = await collect(edgeImpulseReader, signed(sample('none'), 'json'), 'x.json');
    expect(noKey.warnings).toEqual([]);
  });

  it('reads single-axis values and Edge Impulse audio', async () => {
    const doc = sample('none', [100, 200, -32768]);
    doc.payload.sensors = [{ name: 'audio', units: 'wav' }];
    doc.payload.interval_ms = 0.0625;
    const r = await collect(edgeImpulseReader, signed(doc, 'json'), 'noise.3.json');
    const audio = r.stream('audio');
    expect(audio.info).toMatchObject({ kind: 'audio', unit: 'pcm', fullScale: 1, nominalRateHz: 16000 });
    expect(audio.t).toEqual([0n, 62_500n, 125_000n]);
    expect(audio.col('audio')).toEqual([100 / 32768, 200 / 32768, -1]);
  });

  it('rejects hostile and broken files clearly', async () => {
    const deep = await appError(() => collect(edgeImpulseReader, new TextEncoder().encode(`{"payload":${'['.repeat(100_000)}`), 'x.json'));
    expect(deep.code).toBe('json_too_deep');
    const deepCbor = await appError(() => collect(edgeImpulseReader, new Uint8Array([0xa1, 0x67, ...Buffer.from('payload'), ...new Array<number>(100_000).fill(0x81)]), 'x.cbor'));
    expect(deepCbor.code).toBe('json_too_deep');
    const huge = await appError(() => collect(edgeImpulseReader, new Uint8Array([0xa1, 0x67, ...Buffer.from('payload'), 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 'x.cbor'));
    expect(huge.code).toBe('format_truncated');
    const rows = await appError(() => collect(edgeImpulseReader, signed(sample('none', [[1, 2, 3, 4], [1, 2, 3]]), 'json'), 'x.json'));
    expect(rows.code).toBe('format_corrupt');
    expect(rows.message).toContain('Row 2');
    const zero = sample('none');
    zero.payload.interval_ms = 0;
    expect((await appError(() => collect(edgeImpulseReader, signed(zero, 'json'), 'x.json'))).code).toBe('format_corrupt');
    const fast = sample('none');
    fast.payload.interval_ms = 1e-9;
    expect((await appError(() => collect(edgeImpulseReader, signed(fast, 'json'), 'x.json'))).code).toBe('format_limits');
    const big = await appError(() => collect(edgeImpulseReader, signed(sample(), 'json'), 'x.json', { size: 300 * 1024 * 1024 }));
    expect(big.code).toBe('format_limits');
    const cbor1 = signed(sample(), 'cbor');
    expect((await appError(() => collect(edgeImpulseReader, cbor1.subarray(0, cbor1.length - 7), 'x.cbor'))).code).toBe('format_truncated');
    const json1 = signed(sample(), 'json');
    expect((await appError(() => collect(edgeImpulseReader, json1.subarray(0, json1.length - 7), 'x.json'))).code).toBe('format_truncated');
    const noValues = sample('none');
    delete noValues.payload.values;
    expect((await appError(() => collect(edgeImpulseReader, signed(noValues, 'json'), 'x.json'))).code).toBe('format_corrupt');
    const badSig = new TextEncoder().encode(JSON.stringify({ ...sample(), signature: 'abc' }));
    expect((await appError(() => collect(edgeImpulseReader, badSig, 'x.json', { secrets: { edgeImpulseHmacKey: KEY } }))).code).toBe('signature_invalid');
  });

  it('sniffs JSON and CBOR samples by their keys', () => {
    const sniff = (head: Uint8Array): boolean => edgeImpulseReader.sniff({ head, filename: 'x' });
    expect(sniff(signed(sample(), 'json'))).toBe(true);
    expect(sniff(signed(sample(), 'json-pretty'))).toBe(true);
    expect(sniff(signed(sample(), 'cbor'))).toBe(true);
    expect(sniff(new TextEncoder().encode('{"payload": 1}'))).toBe(false);
    expect(sniff(new TextEncoder().encode('[{"sensor":"Accelerometer","time":"1"}]'))).toBe(false);
  });

  it('takes the label from label.sampleid.ext names only', () => {
    expect(labelFromFilename('idle.1a2b3c.json')).toBe('idle');
    expect(labelFromFilename('uploads/wave.01.s2.cbor')).toBe('wave');
    expect(labelFromFilename('recording.json')).toBeNull();
    expect(labelFromFilename('.hidden.json')).toBeNull();
  });
});

/** The signature a file carries (to forge a file with another file's signature). */
function sigOf(file: Uint8Array, format: 'json' | 'json-pretty' | 'cbor'): string {
  if (format !== 'cbor') return (JSON.parse(new TextDecoder().decode(file)) as { signature: string }).signature;
  const at = Buffer.from(file).indexOf(Buffer.from([0x69, ...Buffer.from('signature'), 0x78, 64]));
  return Buffer.from(file.subarray(at + 12, at + 76)).toString('latin1');
}
