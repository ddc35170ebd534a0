import { describe, expect, it } from 'vitest';
import { axisNumber, plotAreaWidth, prettyUnit } from './plot-style';

describe('plot style', () => {
  it('labels the y axis with the decimals its tick increment needs', () => {
    expect([4.115, 4.12, 4.125].map((v) => axisNumber(v, 0.005))).toEqual(['4.115', '4.120', '4.125']);
    expect(axisNumber(-20, 10)).toBe('-20');
    expect(axisNumber(0.5, 0.5)).toBe('0.5');
    expect(axisNumber(32_000, 8000)).toBe('32k');
    expect(axisNumber(1500, 500)).toBe('1.5k');
  });

  it('writes units as people do, and leaves the axis column out of the data area', () => {
    expect(prettyUnit('m/s^2')).toBe('m/s²');
    expect(prettyUnit('rad/s')).toBe('rad/s');
    expect(plotAreaWidth(1000)).toBe(930);
    expect(plotAreaWidth(10)).toBe(0);
  });
});
