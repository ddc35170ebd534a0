import { describe, expect, it } from 'vitest';
import {
  FILENAME_MAX_BYTES, STREAM_NAME, cleanFilename, cleanLabel, cleanText, contentDispositionAttachment, fileStem,
  streamName, suffixedStreamName, utf8Bytes,
} from './names.js';

const NFC = 'über.csv';
const NFD = 'u\u0308ber.csv';

const HOSTILE = [
  '',
  ' ',
  '.',
  '..',
  '../../etc/passwd',
  '..\\..\\windows\\system32',
  'evil\u202Evsc.exe',
  'a\u0000b\u001fc\u007fd\u0085e.csv',
  'line\r\nbreak.csv',
  '😀🏃‍♀️.csv',
  '👨‍👩‍👧',
  'x'.repeat(10_000),
  'é'.repeat(10_000),
  `${'😀'.repeat(3000)}.csv`,
  '\ud800lonely.csv',
  'Accelerometer',
  'ACC X (m/s²)',
  '日本語のセンサー',
  '_',
  '___',
];

describe('cleanText', () => {
  it('normalises to NFC and removes controls and bidi overrides', () => {
    expect(cleanText(NFD)).toBe(NFC);
    expect(cleanText('a\u202Eb\u2066c\u0000d')).toBe('a b c d');
    expect(cleanText('  a\t\tb\n')).toBe('a b');
    expect(cleanText('\udc00x')).toBe('\ufffdx');
  });
});

describe('cleanFilename', () => {
  it('gives the same NFC name for NFD and NFC input', () => {
    expect(cleanFilename(NFD)).toBe(NFC);
    expect(cleanFilename(NFC)).toBe(NFC);
  });

  it('keeps only the last path segment and never a separator or a dot-only name', () => {
    expect(cleanFilename('../../etc/passwd')).toBe('passwd');
    expect(cleanFilename('C:\\Users\\a\\walk.csv')).toBe('walk.csv');
    expect(cleanFilename('dir/')).toBe('dir');
    expect(cleanFilename('..')).toBe('upload');
    expect(cleanFilename('/')).toBe('upload');
    expect(cleanFilename('')).toBe('upload');
    expect(cleanFilename('\u0000\u0001')).toBe('upload');
  });

  it('removes the RTL override that disguises an extension', () => {
    expect(cleanFilename('evil\u202Evsc.exe')).toBe('evil vsc.exe');
  });

  it('caps long names in UTF-8 bytes, keeping the extension and whole characters', () => {
    const long = cleanFilename(`${'a'.repeat(240)}.csv`);
    expect(utf8Bytes(long)).toBeLessThanOrEqual(FILENAME_MAX_BYTES);
    expect(long.endsWith('.csv')).toBe(true);
    expect(long).toBe(`${'a'.repeat(FILENAME_MAX_BYTES - 4)}.csv`);
    const emoji = cleanFilename(`${'😀'.repeat(3000)}.csv`);
    expect(utf8Bytes(emoji)).toBeLessThanOrEqual(FILENAME_MAX_BYTES);
    expect(emoji).toBe(`${'😀'.repeat(49)}.csv`);
    const family = cleanFilename('👨‍👩‍👧'.repeat(100));
    expect(utf8Bytes(family)).toBeLessThanOrEqual(FILENAME_MAX_BYTES);
    expect(family.length % '👨‍👩‍👧'.length).toBe(0); // never a cluster cut in half
    // A "extension" that is really a sentence is not kept apart.
    expect(utf8Bytes(cleanFilename(`${'b'.repeat(300)}. and more words`))).toBeLessThanOrEqual(FILENAME_MAX_BYTES);
  });

  it('is deterministic, idempotent and bounded on hostile names', () => {
    for (const raw of HOSTILE) {
      const a = cleanFilename(raw);
      expect(a).toBe(cleanFilename(raw));
      expect(cleanFilename(a)).toBe(a);
      expect(a.length).toBeGreaterThan(0);
      expect(utf8Bytes(a)).toBeLessThanOrEqual(FILENAME_MAX_BYTES);
      // eslint-disable-next-line no-control-regex
      expect(a).not.toMatch(/[/\\\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      expect(a.normalize('NFC')).toBe(a);
    }
  });
});

describe('streamName', () => {
  it('keeps a valid name as it is', () => {
    expect(streamName('accelerometer')).toEqual({ name: 'accelerometer', changed: false });
    expect(streamName('a'.repeat(64))).toEqual({ name: 'a'.repeat(64), changed: false });
    expect(streamName('_')).toEqual({ name: '_', changed: false });
  });

  it('gives a readable prefix and a hash to anything else', () => {
    const u = streamName('Über Sensor');
    expect(u.changed).toBe(true);
    expect(u.name).toMatch(/^uber_sensor_[0-9a-f]{8}$/);
    expect(streamName('a'.repeat(65)).name).toMatch(/^a{55}_[0-9a-f]{8}$/);
    expect(streamName('').name).toMatch(/^stream_[0-9a-f]{8}$/);
    expect(streamName('日本語').name).toMatch(/^stream_[0-9a-f]{8}$/);
    expect(streamName('../../etc/passwd').name).toMatch(/^etc_passwd_[0-9a-f]{8}$/);
  });

  it('is deterministic and valid for hostile names, and keeps different names apart', () => {
    const names = new Set<string>();
    for (const raw of HOSTILE) {
      const a = streamName(raw);
      expect(a).toEqual(streamName(raw));
      expect(a.name).toMatch(STREAM_NAME);
      expect(a.changed).toBe(!STREAM_NAME.test(raw));
      expect(streamName(a.name)).toEqual({ name: a.name, changed: false });
      names.add(a.name);
    }
    expect(names.size).toBe(HOSTILE.length);
    // Long names that differ only at the end still differ.
    expect(streamName(`${'x'.repeat(9999)}a`).name).not.toBe(streamName(`${'x'.repeat(9999)}b`).name);
  });
});

describe('suffixedStreamName', () => {
  it('stays within the bound', () => {
    expect(suffixedStreamName('acc', '_2')).toBe('acc_2');
    const s = suffixedStreamName('a'.repeat(64), '_12');
    expect(s).toMatch(STREAM_NAME);
    expect(s.endsWith('_12')).toBe(true);
  });
});

describe('cleanLabel and fileStem', () => {
  it('bounds labels with an ellipsis', () => {
    const l = cleanLabel(`${'x'.repeat(10_000)}/a.csv`);
    expect(l.length).toBeLessThanOrEqual(200);
    expect(l.endsWith('…')).toBe(true);
    expect(cleanLabel('short\u202E.csv')).toBe('short .csv');
  });

  it('takes the stem of the last segment', () => {
    expect(fileStem('data/Gyro.csv')).toBe('Gyro');
    expect(fileStem('.hidden')).toBe('.hidden');
  });
});

describe('contentDispositionAttachment', () => {
  it('gives RFC 6266 filename* in UTF-8 and an ASCII fallback', () => {
    expect(contentDispositionAttachment(NFD)).toBe(`attachment; filename="uber.csv"; filename*=UTF-8''%C3%BCber.csv`);
    expect(contentDispositionAttachment('a "b" 50%.csv')).toBe(`attachment; filename="a _b_ 50_.csv"; filename*=UTF-8''a%20%22b%22%2050%25.csv`);
    const h = contentDispositionAttachment('日本.wav');
    expect(h).toBe(`attachment; filename="__.wav"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.wav`);
    expect(decodeURIComponent(h.split("UTF-8''")[1]!)).toBe('日本.wav');
  });

  it('is plain ASCII whatever the name', () => {
    for (const raw of HOSTILE) expect(contentDispositionAttachment(raw)).toMatch(/^[\x20-\x7e]+$/);
  });
});
