/** Colours of segment kinds in the overview strip; kinds the pipeline adds later get a stable colour of their own. */
const KNOWN: Record<string, string> = {
  session: '#8b97ad',
  moving: '#3b82f6',
  still: '#b9c7dc',
  activity: '#2563eb',
  speech: '#e69f00',
  sound: '#f2c14e',
  silence: '#d9dde5',
  loud: '#d55e00',
  'non-wear': '#a45ee5',
  nonwear: '#a45ee5',
  gap: '#d62728',
};
const SPARE = ['#009e73', '#56b4e9', '#cc79a7', '#7f7f00', '#17becf', '#8c564b'];

export function segmentColor(kind: string): string {
  const k = KNOWN[kind];
  if (k) return k;
  let h = 0;
  for (let i = 0; i < kind.length; i++) h = (h * 31 + kind.charCodeAt(i)) >>> 0;
  return SPARE[h % SPARE.length]!;
}

/** Lanes in drawing order: sessions first, problems last (so a gap sits at the bottom, where it is looked for). */
export function laneOrder(kinds: Iterable<string>): string[] {
  const rank = (k: string): number => (k === 'session' ? 0 : k === 'gap' ? 9 : k === 'non-wear' || k === 'nonwear' ? 8 : 1);
  return [...new Set(kinds)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
