/**
 * Builds WAV files laid out as OpenMovement's omconvert writes them (WAVE_FORMAT_EXTENSIBLE 16-bit PCM with
 * no channel mask, a LIST/INFO chunk with `INAM` recording, `IART` device, `ICMT` channel layout and `ICRD`
 * first-sample time, a JUNK pad, then the samples): for the WAV reader's tests and the end-to-end tests.
 * Written from the layout omconvert documents, not from its code; not an omconvert emulator.
 */

export interface OmconvertWavSpec {
  rateHz?: number;
  /** First-sample time as omconvert prints it (`2014-08-01 10:00:00.000`, device-local). */
  time?: string;
  /** Channel labels in order (`Accel-X`, …, `Aux`); the aux channel may be left unnamed (newer omconvert). */
  labels?: (string | null)[];
  /** Full-scale per labelled motion channel (g for Accel, deg/s for Gyro); default 8 g / 2000 deg/s. */
  scales?: (number | null)[];
  /** Interleaved int16 frames: frames[i][c]. */
  frames: number[][];
  deviceId?: number;
  /** Put the LIST chunk after `data` instead of before it. */
  infoAfterData?: boolean;
}

const enc = new TextEncoder();

function sub(id: string, textValue: string): Uint8Array {
  // omconvert: the string, its NUL, and one more NUL when needed to make the size even.
  const body = enc.encode(textValue);
  const size = body.length + 2 - (body.length & 1);
  const out = new Uint8Array(8 + size);
  out.set(enc.encode(id), 0);
  new DataView(out.buffer).setUint32(4, size, true);
  out.set(body, 8);
  return out;
}

function chunk(id: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length & 1));
  out.set(enc.encode(id), 0);
  new DataView(out.buffer).setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The comment (`ICMT`) text for a layout: `Time`, then `Channel-N` and `Scale-N` lines. */
export function omconvertComment(time: string, labels: readonly (string | null)[], scales: readonly (number | null)[]): string {
  const lines = [`Time: ${time}`];
  labels.forEach((label, i) => {
    if (label === null) return;
    lines.push(`Channel-${i + 1}: ${label}`);
    const s = scales[i];
    if (s !== null && s !== undefined) lines.push(`Scale-${i + 1}: ${s}`);
  });
  return lines.join('\n');
}

export function omconvertWav(spec: OmconvertWavSpec): Uint8Array {
  const rate = spec.rateHz ?? 100;
  const time = spec.time ?? '2014-08-01 10:00:00.000';
  const labels = spec.labels ?? ['Accel-X', 'Accel-Y', 'Accel-Z', 'Aux'];
  const scales = spec.scales ?? labels.map((l) => (l?.startsWith('Accel') ? 8 : l?.startsWith('Gyro') ? 2000 : null));
  const channels = labels.length;
  const fmt = new Uint8Array(40);
  const f = new DataView(fmt.buffer);
  f.setUint16(0, 0xfffe, true);
  f.setUint16(2, channels, true);
  f.setUint32(4, rate, true);
  f.setUint32(8, rate * channels * 2, true);
  f.setUint16(12, channels * 2, true);
  f.setUint16(14, 16, true);
  f.setUint16(16, 22, true);
  f.setUint16(18, 16, true);
  f.setUint32(20, 0, true);
  fmt.set([0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 24);
  const info = concat([
    enc.encode('INFO'),
    sub('INAM', `Session: 1\nStart: ${time.slice(0, 19)}\nStop: 2014-12-08 10:00:00\nConfig-A: ${rate},8\nMetadata: `),
    sub('IART', `Id: ${spec.deviceId ?? 1234}\nDevice: CWA\nRevision: 17\nFirmware: 44`),
    sub('ICMT', omconvertComment(time, labels, scales)),
    sub('ICRD', time),
  ]);
  const data = new Uint8Array(spec.frames.length * channels * 2);
  const dv = new DataView(data.buffer);
  spec.frames.forEach((frame, i) => frame.forEach((v, c) => dv.setInt16((i * channels + c) * 2, v, true)));
  const list = chunk('LIST', info);
  const parts = spec.infoAfterData === true
    ? [chunk('fmt ', fmt), chunk('data', data), list]
    : [chunk('fmt ', fmt), list, chunk('JUNK', new Uint8Array(64)), chunk('data', data)];
  const body = concat(parts);
  const head = new Uint8Array(12);
  head.set(enc.encode('RIFF'), 0);
  new DataView(head.buffer).setUint32(4, 4 + body.length, true);
  head.set(enc.encode('WAVE'), 8);
  return concat([head, body]);
}
