import { imuActivityDetector } from './imu-activity.js';
import { imuCalibrationDetector } from './imu-calibration.js';
import { imuTapDetector, imuWristRaiseDetector } from './imu-gestures.js';
import { imuNonWearDetector } from './imu-nonwear.js';
import { imuSignalChecks } from './imu-signal-checks.js';
import type { DetectorFactory } from './types.js';

export { ACTIVITY_DEFAULTS, imuActivityDetector } from './imu-activity.js';
export { CALIBRATION_DEFAULTS, fitSphere, imuCalibrationDetector } from './imu-calibration.js';
export { imuTapDetector, imuWristRaiseDetector, TAP_DEFAULTS, WRIST_RAISE_DEFAULTS } from './imu-gestures.js';
export { imuNonWearDetector, NON_WEAR_DEFAULTS } from './imu-nonwear.js';
export { imuSignalChecks, SIGNAL_CHECK_DEFAULTS } from './imu-signal-checks.js';

/**
 * The motion-stream detectors, each deciding itself whether a stream suits it (`stream.kind === 'imu'`):
 * signal checks (flat_axis, saturation, clock_plausible) on every motion stream; activity, non-wear, taps on
 * accelerations with or without gravity; calibration on accelerations with gravity; wrist-raise on gravity
 * or accelerations with gravity. Options: one flat map, keys `<prefix>.<parameter>` (prefixes `activity`,
 * `nonWear`, `calibration`, `imuChecks`, `tap`, `wristRaise`) plus `timezone` and `absoluteTime`.
 */
export const imuDetectors: DetectorFactory[] = [
  imuSignalChecks,
  imuActivityDetector,
  imuNonWearDetector,
  imuCalibrationDetector,
  imuTapDetector,
  imuWristRaiseDetector,
];
