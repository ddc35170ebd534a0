import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { columnIndex, parseSmallCsv } from './csv-small.js';

function fixture(path: string): string {
  return readFileSync(fileURLToPath(new URL(`../../../test/fixtures/${path}`, import.meta.url)), 'utf8');
}

describe('parseSmallCsv', () => {
  it('reads the real MotionSense subjects table (UTF-8 BOM, LF) into its rows', () => {
    const rows = parseSmallCsv(fixture('motionsense-coremotion/data_subjects_info.csv'));
    expect(rows[0]).toEqual(['code', 'weight', 'height', 'age', 'gender']);
    expect(rows[1]).toEqual(['1', '102', '188', '46', '1']);
    expect(rows[2]).toEqual(['2', '72', '180', '28', '1']);
    expect(rows.length).toBe(25);
    expect(columnIndex(rows[0]!, 'Age')).toBe(3);
  });

  it('reads the real ActiGraph CSV preamble (rows of trailing empty fields)', () => {
    const rows = parseSmallCsv(fixture('ggirread-wearables/ActiGraph13_timestamps_headers.csv'));
    expect(rows[1]).toEqual(['Serial Number: TAS1D48140206', '', '', '', '', '']);
    expect(rows[2]).toEqual(['Start Time 15:00:00', '', '', '', '', '']);
  });

  it('follows the hot loops\' quote rules: quotes open a field at its start (after spaces), "" escapes, newlines inside, CRLF', () => {
    expect(parseSmallCsv('name,"said ""hi""","a\nb"\r\n  "x" ,y\r\n')).toEqual([
      ['name', 'said "hi"', 'a\nb'],
      ['x ', 'y'],
    ]);
    expect(parseSmallCsv('a,"b"tail,c"d"')).toEqual([['a', 'btail', 'c"d"']]);
  });

  it('drops blank lines, keeps a trailing empty field and the last line without a newline, and never throws on a quote left open', () => {
    expect(parseSmallCsv('a,\n\n \r\nb')).toEqual([['a', ''], ['b']]);
    expect(parseSmallCsv('')).toEqual([]);
    expect(parseSmallCsv('h\n"open,never\nclosed')).toEqual([['h'], ['open,never\nclosed']]);
    expect(parseSmallCsv('é,"ü"\r\n')).toEqual([['é', 'ü']]);
  });
});
