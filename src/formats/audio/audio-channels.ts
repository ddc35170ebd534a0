/**
 * Channel names of audio streams. Mono and plain stereo keep the names every audio reader has used
 * (`mono`; `left`, `right`) whatever the container says, so the same recording does not get other channel
 * names because one writer added a speaker mask; other layouts use the speaker position abbreviations of
 * WAVE_FORMAT_EXTENSIBLE's dwChannelMask and ffmpeg (FL, FR, FC, LFE, BL, BR, …); unknown layouts ch1…chN.
 */

/** Speaker positions in dwChannelMask bit order (bit 0 = FL), as Microsoft and ffmpeg name them. */
export const SPEAKER_POSITIONS = [
  'FL', 'FR', 'FC', 'LFE', 'BL', 'BR', 'FLC', 'FRC', 'BC', 'SL', 'SR', 'TC', 'TFL', 'TFC', 'TFR', 'TBL', 'TBC', 'TBR',
] as const;

const MASK_MONO = 0x4;
const MASK_STEREO = 0x3;

/** Names for `n` channels without layout information. */
export function defaultChannelNames(n: number): string[] {
  if (n === 1) return ['mono'];
  if (n === 2) return ['left', 'right'];
  return Array.from({ length: n }, (_, i) => `ch${i + 1}`);
}

/**
 * Names from a WAVE_FORMAT_EXTENSIBLE channel mask: one per set bit, lowest first; channels beyond the
 * mask's bits (the spec allows it) are `ch<i>`. A mask of 0 means "no positions" → default names.
 */
export function channelNamesFromMask(n: number, mask: number): string[] {
  if (mask === 0) return defaultChannelNames(n);
  if (n === 1 && mask === MASK_MONO) return defaultChannelNames(1);
  if (n === 2 && mask === MASK_STEREO) return defaultChannelNames(2);
  const names: string[] = [];
  for (let bit = 0; bit < 32 && names.length < n; bit++) {
    if ((mask >>> bit) & 1) names.push(SPEAKER_POSITIONS[bit] ?? `SP${bit}`);
  }
  for (let i = names.length; i < n; i++) names.push(`ch${i + 1}`);
  return names;
}

/** ffmpeg's named layouts (libavutil/channel_layout.c) that recorders produce, in ffmpeg's output order. */
const FFMPEG_LAYOUTS: Record<string, string[]> = {
  '2.1': ['FL', 'FR', 'LFE'],
  '3.0': ['FL', 'FR', 'FC'],
  '3.0(back)': ['FL', 'FR', 'BC'],
  '4.0': ['FL', 'FR', 'FC', 'BC'],
  quad: ['FL', 'FR', 'BL', 'BR'],
  'quad(side)': ['FL', 'FR', 'SL', 'SR'],
  '3.1': ['FL', 'FR', 'FC', 'LFE'],
  '5.0': ['FL', 'FR', 'FC', 'BL', 'BR'],
  '5.0(side)': ['FL', 'FR', 'FC', 'SL', 'SR'],
  '4.1': ['FL', 'FR', 'FC', 'LFE', 'BC'],
  '5.1': ['FL', 'FR', 'FC', 'LFE', 'BL', 'BR'],
  '5.1(side)': ['FL', 'FR', 'FC', 'LFE', 'SL', 'SR'],
  '6.0': ['FL', 'FR', 'FC', 'BC', 'SL', 'SR'],
  '6.1': ['FL', 'FR', 'FC', 'LFE', 'BC', 'SL', 'SR'],
  '7.0': ['FL', 'FR', 'FC', 'BL', 'BR', 'SL', 'SR'],
  '7.1': ['FL', 'FR', 'FC', 'LFE', 'BL', 'BR', 'SL', 'SR'],
};

/**
 * Names from ffprobe's `channel_layout` (`mono`, `stereo`, `5.1(side)`, `FL+FR+LFE`, …) when it names
 * exactly `n` channels; else the default names.
 */
export function channelNamesFromFfmpegLayout(n: number, layout: string | undefined): string[] {
  if (layout === undefined || n <= 2) return defaultChannelNames(n);
  const named = FFMPEG_LAYOUTS[layout];
  if (named !== undefined && named.length === n) return named;
  const parts = layout.split('+');
  if (parts.length === n && parts.every((p) => /^[A-Z]{1,4}$/.test(p))) return parts;
  return defaultChannelNames(n);
}
