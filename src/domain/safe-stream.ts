import { cleanLabel, streamName } from './names.js';
import type { StreamInfo } from './stream.js';

/**
 * The stream with a name fit for keys and URLs (`[a-z0-9_]{1,64}`, see domain/names.ts), whatever the reader
 * derived it from (file names, archive entries, column names), and channel names that are clean text of at
 * most 64 characters, unique and not `time`: each change is a warning.
 */
export function safeStream(info: StreamInfo, warnings: { code: string; message: string }[]): StreamInfo {
  const { name, changed } = streamName(info.name);
  if (changed) {
    warnings.push({ code: 'stream_renamed', message: `The stream "${cleanLabel(info.name, 80)}" is stored as "${name}": stream names are at most 64 lowercase letters, digits and underscores.` });
  }
  const used = new Set<string>();
  let renamed = 0;
  const channels = info.channels.map((raw, i) => {
    let c = cleanLabel(raw, MAX_CHANNEL_CHARS);
    if (c === '' || c === 'time') c = `channel_${i + 1}`;
    const base = c;
    for (let k = 2; used.has(c); k++) c = `${base.slice(0, MAX_CHANNEL_CHARS - 1 - String(k).length)}_${k}`;
    used.add(c);
    if (c !== raw) renamed++;
    return c;
  });
  if (renamed > 0) {
    warnings.push({ code: 'channels_renamed', message: `${renamed} channel name${renamed === 1 ? '' : 's'} of stream "${name}" ${renamed === 1 ? 'was' : 'were'} cleaned (control characters removed, at most ${MAX_CHANNEL_CHARS} characters, unique, not "time").` });
  }
  return changed || renamed > 0 ? { ...info, name, channels } : info;
}

const MAX_CHANNEL_CHARS = 64;
