import { describe, expect, it } from 'vitest';
import { csvLine, csvNumber, csvText } from './csv-cells.js';

/** A minimal RFC 4180 reader for one line, to check that what is written reads back. */
function readLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        if (line[i] === '"' && line[i + 1] === '"') { v += '"'; i += 2; } else if (line[i] === '"') { i++; break; } else { v += line[i]; i++; }
      }
      out.push(v);
      i++; // the comma
    } else {
      const end = line.indexOf(',', i);
      const stop = end < 0 ? line.length : end;
      out.push(line.slice(i, stop));
      i = stop + 1;
    }
  }
  return out;
}

describe('CSV cells', () => {
  it('neutralises text that a spreadsheet would run as a formula, and only text', () => {
    expect(csvText('=HYPERLINK("http://evil","click")')).toBe('"\'=HYPERLINK(""http://evil"",""click"")"');
    expect(csvText('+1')).toBe("'+1");
    expect(csvText('-cmd')).toBe("'-cmd");
    expect(csvText('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvText('\tx')).toBe("'\tx");
    expect(csvText('\rx')).toBe('"\'\rx"');
    expect(csvText('walking')).toBe('walking');
    expect(csvNumber(-0.5)).toBe('-0.5');
    expect(csvNumber(1234567890123456789n)).toBe('1234567890123456789');
    expect(csvNumber(Number.NaN)).toBe('');
  });

  it('quotes commas, quotes, line breaks and edge spaces, and keeps Unicode as it is', () => {
    const hostile = ['a,b', 'say "hi"', 'two\nlines', ' padded ', '\u202Eevil\u202C', 'naïve 🚶', '=1+1,"x"\n'];
    const line = csvLine(hostile.map(csvText));
    const back = readLine(line);
    expect(back).toEqual(hostile.map((h) => (/^[=+\-@\t\r]/.test(h) ? `'${h}` : h)));
    expect(csvText(null)).toBe('');
  });
});
