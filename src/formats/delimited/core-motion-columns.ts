/**
 * Column names of `CMDeviceMotion` logs: `attitude.roll`, `gravity.x`, `rotationRate.x`, `userAcceleration.x`,
 * `magneticField.field.x`, `attitude.quaternion.w`, in the spellings iOS logging apps use (MotionSense's
 * dotted names, `userAccelerationX`, `motionUserAccelerationX(G)`, `user_acceleration_x`).
 */

export type CoreMotionStream = 'attitude' | 'gravity' | 'gyroscope' | 'user_acceleration' | 'magnetometer' | 'attitude_quaternion';

export interface CoreMotionField {
  stream: CoreMotionStream;
  channel: string;
  /** The unit the name carries (`(G)`, `[m/s^2]`), or null. */
  unit: string | null;
}

/** Stream order and, per stream, channel order, sensor, default unit of Core Motion. */
export const CORE_MOTION_STREAMS: Record<CoreMotionStream, { sensor: string; channels: string[]; defaultUnit: string }> = {
  attitude: { sensor: 'orientation', channels: ['roll', 'pitch', 'yaw'], defaultUnit: 'rad' },
  gravity: { sensor: 'gravity', channels: ['x', 'y', 'z'], defaultUnit: 'g' },
  gyroscope: { sensor: 'gyroscope', channels: ['x', 'y', 'z'], defaultUnit: 'rad/s' },
  user_acceleration: { sensor: 'user_acceleration', channels: ['x', 'y', 'z'], defaultUnit: 'g' },
  magnetometer: { sensor: 'magnetometer', channels: ['x', 'y', 'z'], defaultUnit: 'uT' },
  attitude_quaternion: { sensor: 'orientation', channels: ['x', 'y', 'z', 'w'], defaultUnit: '1' },
};

const PATTERNS: [RegExp, CoreMotionStream][] = [
  [/^(?:attitude)?(roll|pitch|yaw)$/, 'attitude'],
  [/^(?:attitude)?quaternion([xyzw])$/, 'attitude_quaternion'],
  [/^gravity([xyz])$/, 'gravity'],
  [/^rotationrate([xyz])$/, 'gyroscope'],
  [/^user(?:acceleration|accel|acc)([xyz])$/, 'user_acceleration'],
  [/^(?:calibrated)?magneticfield(?:field)?([xyz])$/, 'magnetometer'],
];

/** Reads one header name as a Core Motion field, or null. */
export function coreMotionField(name: string): CoreMotionField | null {
  const m = /^(.*?)\s*[([]\s*([^()[\]]{1,16})\s*[)\]]\s*$/.exec(name.trim());
  const unit = m === null ? null : (m[2] ?? null);
  const key = (m === null ? name : (m[1] ?? ''))
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/^(?:cmdevicemotion|devicemotion|motion)/, '');
  for (const [re, stream] of PATTERNS) {
    const hit = re.exec(key);
    if (hit !== null) return { stream, channel: hit[1] ?? '', unit };
  }
  return null;
}

/** True for a header of a Core Motion device-motion log: user acceleration plus gravity or rotation rate. */
export function isCoreMotionHeader(names: readonly string[]): boolean {
  const streams = new Set(names.map((n) => coreMotionField(n)?.stream));
  return streams.has('user_acceleration') && (streams.has('gravity') || streams.has('gyroscope'));
}
