import type { ReaderEvent, RecordingMetadata, StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { CwaBlockDecoder, type CwaLayout } from './axivity-cwa-blocks.js';
import { BLOCK_BYTES, DEG, G, HEADER_BYTES, looksLikeCwa, MAGIC_MD, parseHeader, type CwaHeader } from './axivity-cwa-format.js';
import { ByteReader } from '../common/byte-source.js';
import type { FormatReader, SniffInput } from '../types.js';

/**
 * Axivity AX3 / AX6 recordings in OpenMovement's .cwa format: a 1024-byte "MD" header (device, session, rate
 * and range settings, url-encoded annotation) and 512-byte "AX" blocks of 120 packed or 80 unpacked 3-axis
 * samples (40 gyro + accel samples on the AX6), each block with a checksum, a sequence number and a
 * timestamp. Streams: `accelerometer` (m/s²), `gyroscope` (rad/s) and `magnetometer` (µT) when logged, and one
 * value per block of `temperature`, `light` and `battery`.
 *
 * The device clock is local wall time with no zone: the reader gives that wall clock read as UTC with
 * `clock: 'device-local'`, and the pipeline places it on UTC with the recording's time zone.
 */

/** Blocks decoded per batch (256 KiB of staging). */
const STAGING_BLOCKS = 512;

function accelStream(header: CwaHeader, rateHz: number): StreamInfo {
  return {
    name: 'accelerometer',
    kind: 'imu',
    sensor: 'accelerometer',
    channels: ['x', 'y', 'z'],
    unit: 'm/s^2',
    originalUnit: 'g',
    nominalRateHz: rateHz,
    range: header.rangeG * G,
    frame: 'device',
  };
}

function streamsFor(header: CwaHeader, rateHz: number, layout: CwaLayout): StreamInfo[] {
  const perBlock = layout.axes === 3 ? 120 : Math.floor(240 / layout.axes);
  const blockRate = rateHz / perBlock;
  const streams: StreamInfo[] = [accelStream(header, rateHz)];
  if (layout.hasGyro) {
    const gyro: StreamInfo = { name: 'gyroscope', kind: 'imu', sensor: 'gyroscope', channels: ['x', 'y', 'z'], unit: 'rad/s', originalUnit: 'deg/s', nominalRateHz: rateHz, frame: 'device' };
    if (header.gyroRangeDps !== null) gyro.range = header.gyroRangeDps * DEG;
    streams.push(gyro);
  }
  if (layout.hasMag) {
    streams.push({ name: 'magnetometer', kind: 'imu', sensor: 'magnetometer', channels: ['x', 'y', 'z'], unit: 'uT', nominalRateHz: rateHz, frame: 'device' });
  }
  streams.push(
    {
      name: 'temperature',
      kind: 'other',
      sensor: 'temperature',
      channels: ['temperature'],
      unit: 'degC',
      nominalRateHz: blockRate,
      calibration: { formula: 'degC = raw * 75 / 256 - 50 (OpenMovement cwa.h), one value per block' },
    },
    {
      name: 'light',
      kind: 'other',
      sensor: 'light',
      channels: ['light'],
      unit: 'raw',
      nominalRateHz: blockRate,
      calibration: { note: 'raw 10-bit light sensor value, one per block; a relative indicator only (OpenMovement: lux = 10^(((raw + 512) * 6000 / 1024) / 1000))' },
    },
    {
      name: 'battery',
      kind: 'other',
      sensor: 'battery',
      channels: ['voltage'],
      unit: 'V',
      nominalRateHz: blockRate,
      calibration: { formula: 'V = (raw + 512) * 6000 / 1024 / 1000 (OpenMovement cwa.h), one value per block' },
    },
  );
  return streams;
}

function metadataOf(header: CwaHeader, rateHz: number): RecordingMetadata {
  const session: Record<string, string | number | boolean | null> = {
    deviceId: header.deviceId,
    sessionId: header.sessionId,
    firmwareRevision: header.firmwareRevision,
    sampleRateHz: rateHz,
    accelRangeG: header.rangeG,
    loggingStart: header.loggingStart,
    loggingEnd: header.loggingEnd,
    lastChange: header.lastChange,
    annotation: header.annotation,
  };
  if (header.gyroRangeDps !== null) session.gyroRangeDps = header.gyroRangeDps;
  for (const [k, v] of Object.entries(header.annotationFields)) session[`annotation.${k}`] = v;
  return { device: { kind: 'wearable', model: header.model, serial: String(header.deviceId), firmware: String(header.firmwareRevision) }, session };
}

function listed(indices: readonly number[], total: number): string {
  return `${indices.join(', ')}${total > indices.length ? ', …' : ''}`;
}

/** The warnings a person should read after the blocks are decoded (counts, first block indices). */
function summary(d: CwaBlockDecoder, trailing: number): ReaderEvent[] {
  const out: ReaderEvent[] = [];
  if (d.badTotal > 0) {
    const reasons = [...d.bad].map(([why, n]) => `${why}: ${n}`).join('; ');
    out.push({
      type: 'warning',
      code: 'cwa_bad_block',
      count: d.badTotal,
      message: `${d.badTotal} of ${d.blocks} data blocks were skipped (${reasons}); their samples are left out as a gap, not filled in. Blocks (0-based data-block index): ${listed(d.badIndices, d.badTotal)}.`,
    });
  }
  if (d.sequenceGaps > 0) {
    out.push({
      type: 'warning',
      code: 'cwa_sequence_gap',
      count: d.sequenceGaps,
      message: `The block sequence numbers jump ${d.sequenceGaps} time(s) beyond the skipped blocks: blocks are missing from the file (or the device restarted).`,
    });
  }
  if (d.timeJumps > 0) {
    out.push({
      type: 'warning',
      code: 'cwa_time_jump',
      count: d.timeJumps,
      message: `The device clock jumps between ${d.timeJumps} pair(s) of consecutive blocks (by more than 20 % of a block's duration); those blocks keep their own timestamps. At blocks: ${listed(d.timeJumpIndices, d.timeJumps)}.`,
    });
  }
  if (d.sessionChanges > 0) {
    out.push({ type: 'warning', code: 'cwa_session_change', count: d.sessionChanges, message: `The session id changes ${d.sessionChanges} time(s) within the file: it may join recordings of several sessions.` });
  }
  if (d.empty > 0) {
    out.push({ type: 'warning', code: 'cwa_empty_block', count: d.empty, message: `${d.empty} data block(s) hold 0 samples and were skipped.` });
  }
  if (trailing > 0) {
    out.push({
      type: 'warning',
      code: 'cwa_truncated',
      message: `The file ends ${trailing} bytes into data block ${d.blocks} (blocks are 512 bytes): it was cut during copy or upload; the partial block was dropped.`,
    });
  }
  return out;
}

async function* readCwa(source: AsyncIterable<Uint8Array>): AsyncGenerator<ReaderEvent> {
  const r = new ByteReader(source);
  try {
    const head = await r.readExact(HEADER_BYTES);
    if (head.length < 4 || (head[0]! | (head[1]! << 8)) !== MAGIC_MD) {
      throw new AppError('format_corrupt', 'The file does not start with the "MD" header of an Axivity .cwa file.');
    }
    if (head.length < HEADER_BYTES) {
      throw new AppError('format_truncated', `The .cwa file is ${head.length} bytes long; its header alone is 1024 bytes, so the file was cut.`);
    }
    const header = parseHeader(head);
    const early: ReaderEvent[] = [];
    if (header.oddPacketLength !== null) {
      early.push({ type: 'warning', code: 'cwa_header_length', message: `The .cwa header declares a length of ${header.oddPacketLength} bytes instead of 1020; read the data blocks from byte 1024 as the format defines.` });
    }
    const decoder = new CwaBlockDecoder(header, STAGING_BLOCKS, (startTimeNs, rateHz, layout) => {
      const events: ReaderEvent[] = [
        // The device's clock is set once, in local time, with no zone: the pipeline places it with the
        // recording's time zone.
        { type: 'recording', startTimeNs, absoluteTime: true, clock: 'device-local' },
        { type: 'metadata', metadata: metadataOf(header, rateHz) },
        ...early,
      ];
      if (rateHz !== header.rateHz) {
        events.push({ type: 'warning', code: 'cwa_rate_mismatch', message: `The header says ${header.rateHz} Hz but the data blocks say ${rateHz} Hz; the blocks' rate is used.` });
      }
      for (const stream of streamsFor(header, rateHz, layout)) events.push({ type: 'stream', stream });
      return events;
    });
    const staging = decoder.staging;
    let have = 0;
    for (;;) {
      const piece = await r.readSome(staging.length - have);
      if (piece === null) break;
      staging.set(piece, have);
      have += piece.length;
      const whole = have - (have % BLOCK_BYTES);
      for (let o = 0; o < whole; o += BLOCK_BYTES) decoder.block(o);
      if (whole > 0) {
        staging.copyWithin(0, whole, have);
        have -= whole;
      }
      if (decoder.out.length > 0) {
        yield* decoder.out;
        decoder.out.length = 0;
      }
    }
    decoder.finish();
    yield* decoder.out;
    decoder.out.length = 0;
    if (decoder.good === 0) {
      if (decoder.badTotal > 0) {
        const reasons = [...decoder.bad].map(([why, n]) => `${why}: ${n}`).join('; ');
        throw new AppError('format_corrupt', `None of the ${decoder.blocks} data blocks of this .cwa file could be read (${reasons}).`, { blocks: decoder.blocks });
      }
      if (have > 0 && decoder.blocks === 0) {
        throw new AppError('format_truncated', `The .cwa file ends ${have} bytes into its first data block: it was cut during copy or upload.`);
      }
      throw new AppError('no_samples', `The .cwa file has no samples (${decoder.blocks} data block(s), ${decoder.empty} of them empty).`);
    }
    yield* summary(decoder, have);
  } finally {
    await r.close();
  }
}

/** Axivity AX3/AX6 .cwa: content starts with the "MD" header (see `looksLikeCwa`). */
export const axivityCwaReader: FormatReader = {
  name: 'axivity-cwa',
  description: 'Axivity AX3/AX6 .cwa (OpenMovement binary: accelerometer, gyroscope, temperature, light, battery)',
  sniff: (input: SniffInput) => looksLikeCwa(input.head),
  read: (source) => readCwa(source),
};
