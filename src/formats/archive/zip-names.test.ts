import { describe, expect, it } from 'vitest';
import { ENTRY_NAME_MAX_CHARS, boundedEntryName, decodeEntryName, unsafeNameReason } from './zip-names.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('entry names', () => {
  it('decodes to NFC whichever form the archiver wrote', () => {
    expect(decodeEntryName(utf8('u\u0308ber.csv'), true)).toBe('über.csv');
    expect(decodeEntryName(utf8('u\u0308ber.csv'), false)).toBe('über.csv');
  });

  it('bounds a 10,000-character name, keeping its folder, file name and extension', () => {
    const name = `session/${'x'.repeat(10_000)}/Accelerometer.csv`;
    const short = decodeEntryName(utf8(name), true);
    expect(Array.from(short).length).toBeLessThanOrEqual(ENTRY_NAME_MAX_CHARS);
    expect(short.startsWith('session/')).toBe(true);
    expect(short.endsWith('/Accelerometer.csv')).toBe(true);
    expect(unsafeNameReason(short)).toBeNull();
    expect(boundedEntryName(short)).toBe(short);
  });

  it('never cuts away what makes a long name unsafe', () => {
    const pad = 'y'.repeat(5_000);
    for (const name of [`${pad}/../${pad}.csv`, `${pad}\\${pad}.csv`, `${pad}\u0001${pad}.csv`, `/${pad}.csv`, `C:${pad}`]) {
      const reason = unsafeNameReason(name);
      expect(reason).not.toBeNull();
      const short = boundedEntryName(name);
      expect(Array.from(short).length).toBeLessThanOrEqual(ENTRY_NAME_MAX_CHARS + 8);
      expect(unsafeNameReason(short)).toBe(reason);
    }
  });

  it('keeps short names as they are', () => {
    expect(boundedEntryName('a/b.csv')).toBe('a/b.csv');
  });
});
