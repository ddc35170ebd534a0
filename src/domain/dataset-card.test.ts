import { describe, expect, it } from 'vitest';
import { datasetCard, markdownText, yamlString, type CardInput } from './dataset-card.js';

const HOSTILE = 'a|b\n"c": #d';

function small(): CardInput {
  return {
    title: 'Walk study',
    description: 'Accelerometer windows.',
    features: [
      { name: 'participant', dtype: 'string' },
      { name: 'label', dtype: 'string' },
      { name: 'acc_x', sequence: 'float32' },
    ],
    splits: [
      { name: 'test', examples: 1, files: ['data/test-00000-of-00001.parquet'] },
      { name: 'train', examples: 3, files: ['data/train-00000-of-00001.parquet'] },
    ],
    counts: {
      byLabel: { walk: 3, [HOSTILE]: 1 },
      byParticipant: { p2: 1, p1: 3 },
      byDevice: { wrist: 4 },
      bySplit: { train: 3, test: 1 },
      hours: 1.5,
      quality: { good: 3, poor: 1 },
    },
    parameters: { window_s: 10, seed: 42, label_policy: 'majority', strict: true, note: null },
    version: 'sha256:ab12',
  };
}

const EXPECTED = [
  '---',
  'pretty_name: "Walk study"',
  'configs:',
  '- config_name: default',
  '  data_files:',
  '  - split: train',
  '    path: "data/train-00000-of-00001.parquet"',
  '  - split: test',
  '    path: "data/test-00000-of-00001.parquet"',
  'dataset_info:',
  '  features:',
  '  - name: "participant"',
  '    dtype: string',
  '  - name: "label"',
  '    dtype: string',
  '  - name: "acc_x"',
  '    sequence: float32',
  '  splits:',
  '  - name: train',
  '    num_examples: 3',
  '  - name: test',
  '    num_examples: 1',
  '---',
  '',
  '# Walk study',
  '',
  'Accelerometer windows.',
  '',
  '## Contents',
  '',
  'Total recorded time: 1.50 h; 4 windows.',
  '',
  '### Splits',
  '',
  'Split by participant: no participant is in two splits.',
  '',
  '| Split | Windows | Share | File |',
  '| --- | --- | --- | --- |',
  '| train | 3 | 75.0 % | data/train-00000-of-00001.parquet |',
  '| test | 1 | 25.0 % | data/test-00000-of-00001.parquet |',
  '',
  '### Labels (class balance)',
  '',
  '| Label | Windows | Share |',
  '| --- | --- | --- |',
  '| a\\|b<br>"c": #d | 1 | 25.0 % |',
  '| walk | 3 | 75.0 % |',
  '',
  '### Participants',
  '',
  '| Participant | Windows |',
  '| --- | --- |',
  '| p1 | 3 |',
  '| p2 | 1 |',
  '',
  '### Devices',
  '',
  '| Device | Windows | Share |',
  '| --- | --- | --- |',
  '| wrist | 4 | 100.0 % |',
  '',
  '### Quality of the recordings',
  '',
  '| Quality | Recordings | Share |',
  '| --- | --- | --- |',
  '| good | 3 | 75.0 % |',
  '| poor | 1 | 25.0 % |',
  '',
  '## Export parameters',
  '',
  '| Parameter | Value |',
  '| --- | --- |',
  '| label\\_policy | majority |',
  '| note | null |',
  '| seed | 42 |',
  '| strict | true |',
  '| window\\_s | 10 |',
  '',
  '## Version',
  '',
  'Dataset version: sha256:ab12',
  '',
].join('\n');

/** Every table row of a card has exactly as many unescaped `|` as its header row. */
function tableRowsWellFormed(card: string): boolean {
  const lines = card.split('\n');
  const pipes = (l: string): number => l.replace(/\\\\/g, '').replace(/\\\|/g, '').split('|').length - 1;
  let expected = -1;
  for (const l of lines) {
    if (!l.startsWith('|')) { expected = -1; continue; }
    if (expected < 0) expected = pipes(l);
    else if (pipes(l) !== expected) return false;
  }
  return true;
}

describe('datasetCard', () => {
  it('writes the exact front matter and body for a small export', () => {
    expect(datasetCard(small())).toBe(EXPECTED);
  });

  it('quotes a hostile label in YAML and escapes it in the table', () => {
    const input = small();
    input.features.push({ name: HOSTILE, dtype: 'int64' });
    const card = datasetCard(input);
    expect(card).toContain('  - name: "a|b\\n\\"c\\": #d"\n    dtype: int64\n');
    expect(card).toContain('| a\\|b<br>"c": #d | 1 | 25.0 % |');
    expect(card).not.toContain('a|b\n');
    expect(tableRowsWellFormed(card)).toBe(true);
  });

  it('keeps every table intact for spreadsheet formulas, commas, quotes, newlines, RTL marks and markup', () => {
    const labels = [
      '=HYPERLINK("http://x","y")', 'a,b,"c"', 'line\r\nbreak', 'evil\u202Evsc.exe', 'x\u2028y',
      '<script>alert(1)</script>', '[link](javascript:alert(1))', 'back\\|slash', '`code`', '$x$', 'tab\there',
      'lone\ud800', '',
    ];
    const input = small();
    input.counts.byLabel = Object.fromEntries(labels.map((l, i) => [l, i + 1]));
    input.counts.byParticipant = { 'p|1\n': 2 };
    input.parameters = { 'k|\n': 'v|\n' };
    const card = datasetCard(input);
    expect(tableRowsWellFormed(card)).toBe(true);
    const body = card.slice(card.indexOf('\n---\n') + 5);
    expect(body).not.toMatch(/[\u202e\u2028\r\t\ud800]/);
    expect(body).not.toContain('<script>');
    expect(card).toContain('| evilU+202Evsc.exe |');
    expect(card).toContain('| &lt;script&gt;alert(1)&lt;/script&gt; |');
    expect(card).toContain('| \\[link\\](javascript:alert(1)) |');
    expect(card).toContain('| back\\\\\\|slash |');
    expect(card).toContain('| line<br>break |');
    expect(card).toContain('| =HYPERLINK("http://x","y") |');
    expect(card).toContain('| k\\|<br> | v\\|<br> |');
  });

  it('is deterministic whatever order the maps and splits were filled in', () => {
    const a = small();
    const b = small();
    b.splits.reverse();
    b.counts.byLabel = { [HOSTILE]: 1, walk: 3 };
    b.counts.byParticipant = { p1: 3, p2: 1 };
    b.counts.quality = { poor: 1, good: 3 };
    b.counts.bySplit = { test: 1, train: 3 };
    b.parameters = { note: null, strict: true, label_policy: 'majority', seed: 42, window_s: 10 };
    expect(datasetCard(b)).toBe(datasetCard(a));
  });

  it('orders splits train, validation, test, then others by name', () => {
    const input = small();
    input.splits = ['zeta', 'test', 'alpha', 'validation', 'train'].map((name) => ({
      name, examples: 1, files: [`data/${name}.parquet`],
    }));
    input.counts.bySplit = {};
    const order = [...datasetCard(input).matchAll(/^ {2}- split: (\w+)$/gm)].map((m) => m[1]);
    expect(order).toEqual(['train', 'validation', 'test', 'alpha', 'zeta']);
  });

  it('writes None. for an empty table and escapes a description that would start blocks', () => {
    const input = small();
    input.counts.byDevice = {};
    input.description = '# not a heading\n\n- not a list\n1. nor this\n    nor code';
    const card = datasetCard(input);
    expect(card).toContain('### Devices\n\nNone.\n');
    expect(card).toContain('\n\\# not a heading\n\n\\- not a list\n1\\. nor this\nnor code\n');
  });

  it('rejects inputs that would make the card wrong', () => {
    const twice = small();
    twice.features.push({ name: 'label', dtype: 'string' });
    expect(() => datasetCard(twice)).toThrow(/feature "label" is listed twice/);
    const neither = small();
    neither.features.push({ name: 'x' });
    expect(() => datasetCard(neither)).toThrow(/exactly one of dtype or sequence/);
    const both = small();
    both.features.push({ name: 'x', dtype: 'float32', sequence: 'float32' });
    expect(() => datasetCard(both)).toThrow(/exactly one of dtype or sequence/);
    const badSplit = small();
    badSplit.splits[0]!.name = 'test set';
    badSplit.counts.bySplit = {};
    expect(() => datasetCard(badSplit)).toThrow(/split name "test set"/);
    const disagree = small();
    disagree.counts.bySplit.train = 4;
    expect(() => datasetCard(disagree)).toThrow(/"train" has 3 examples but counts say 4/);
    const orphan = small();
    orphan.counts.bySplit.validation = 0;
    expect(() => datasetCard(orphan)).not.toThrow();
    orphan.counts.bySplit.validation = 2;
    expect(() => datasetCard(orphan)).toThrow(/"validation", which has no file/);
    const fraction = small();
    fraction.splits[0]!.examples = 1.5;
    fraction.counts.bySplit = {};
    expect(() => datasetCard(fraction)).toThrow(/whole number/);
  });

  it('lists every file of a split in order under data_files and counts the split once', () => {
    const input = small();
    const train = ['data/train-00000-of-00003.parquet', 'data/train-00001-of-00003.parquet', 'data/train-00002-of-00003.parquet'];
    input.splits = [
      { name: 'test', examples: 1, files: ['data/test-00000-of-00001.parquet'] },
      { name: 'train', examples: 3, files: [...train] },
    ];
    const card = datasetCard(input);
    expect(card).toContain([
      '  data_files:',
      '  - split: train',
      '    path:',
      '    - "data/train-00000-of-00003.parquet"',
      '    - "data/train-00001-of-00003.parquet"',
      '    - "data/train-00002-of-00003.parquet"',
      '  - split: test',
      '    path: "data/test-00000-of-00001.parquet"',
      'dataset_info:',
    ].join('\n'));
    expect(card).toContain('  splits:\n  - name: train\n    num_examples: 3\n  - name: test\n    num_examples: 1\n---\n');
    expect(card).toContain('| Split | Windows | Share | Files |');
    expect(card).toContain(`| train | 3 | 75.0 % | ${train.join('<br>')} |`);
    expect(tableRowsWellFormed(card)).toBe(true);
    // The order given is the order written: shards are not re-sorted.
    input.splits[1]!.files = [...train].reverse();
    const reversed = datasetCard(input);
    expect(reversed.indexOf('00002-of-00003')).toBeLessThan(reversed.indexOf('00000-of-00003'));
  });

  it('rejects split files the Hub would misread or that contradict each other', () => {
    const none = small();
    none.splits[0]!.files = [];
    expect(() => datasetCard(none)).toThrow(/split "test" has no file/);
    const glob = small();
    glob.splits[1]!.files = ['data/train-*'];
    expect(() => datasetCard(glob)).toThrow(/"data\/train-\*" must be a relative path without/);
    const bracket = small();
    bracket.splits[1]!.files = ['data/train[1].parquet'];
    expect(() => datasetCard(bracket)).toThrow(/must be a relative path/);
    const absolute = small();
    absolute.splits[1]!.files = ['/data/train.parquet'];
    expect(() => datasetCard(absolute)).toThrow(/must be a relative path/);
    const shared = small();
    shared.splits[1]!.files = ['data/test-00000-of-00001.parquet'];
    expect(() => datasetCard(shared)).toThrow(/file "data\/test-00000-of-00001.parquet" is listed twice/);
  });

  it('writes an audio feature as datasets writes Audio(), with and without a sampling rate', () => {
    const input = small();
    input.features = [
      { name: 'audio', dtype: 'audio' },
      { name: 'speech', dtype: 'audio', sampling_rate: 16000 },
      { name: 'label', dtype: 'string' },
    ];
    const card = datasetCard(input);
    expect(card).toContain([
      '  features:',
      '  - name: "audio"',
      '    dtype: audio',
      '  - name: "speech"',
      '    dtype:',
      '      audio:',
      '        sampling_rate: 16000',
      '  - name: "label"',
      '    dtype: string',
      '  splits:',
    ].join('\n'));
    const notAudio = small();
    notAudio.features.push({ name: 'x', dtype: 'float32', sampling_rate: 100 });
    expect(() => datasetCard(notAudio)).toThrow(/feature "x" has a sampling_rate but is not audio/);
    const badRate = small();
    badRate.features.push({ name: 'x', dtype: 'audio', sampling_rate: 44.1 });
    expect(() => datasetCard(badRate)).toThrow(/sampling_rate 44.1; expected a whole number of Hz > 0/);
    const zero = small();
    zero.features.push({ name: 'x', dtype: 'audio', sampling_rate: 0 });
    expect(() => datasetCard(zero)).toThrow(/sampling_rate 0/);
  });

  it('shows plots under a Plots heading with their alt text escaped, before the export parameters', () => {
    const input = small();
    input.images = [
      { path: 'plots/class-balance.png', alt: 'Class balance: windows per label' },
      { path: 'plots/example-0.png', alt: 'Example of "=HYPERLINK(x)" [a](javascript:alert(1)) <img src=x>\nline\u202E' },
    ];
    const card = datasetCard(input);
    expect(card).toContain([
      '### Quality of the recordings', '', '| Quality | Recordings | Share |', '| --- | --- | --- |',
      '| good | 3 | 75.0 % |', '| poor | 1 | 25.0 % |', '',
      '## Plots',
      '',
      '![Class balance: windows per label](plots/class-balance.png)',
      '',
      '![Example of "=HYPERLINK(x)" \\[a\\](javascript:alert(1)) &lt;img src=x&gt; lineU+202E](plots/example-0.png)',
      '',
      '## Export parameters',
    ].join('\n'));
    expect(datasetCard(small())).not.toContain('## Plots');
    expect(datasetCard({ ...small(), images: [] })).toBe(EXPECTED);
  });

  it('rejects image paths that would escape the repository or the link', () => {
    for (const path of ['../secret.png', 'plots/../../x.png', '/etc/x.png', 'a b.png', 'x.png) ![y](z', '', './x.png']) {
      const input = small();
      input.images = [{ path, alt: 'x' }];
      expect(() => datasetCard(input), path).toThrow(/image path .* must be relative/);
    }
  });
});

describe('yamlString', () => {
  it('double-quotes with escapes for quotes, backslashes, line breaks, controls and bidi characters', () => {
    expect(yamlString('plain')).toBe('"plain"');
    expect(yamlString(HOSTILE)).toBe('"a|b\\n\\"c\\": #d"');
    expect(yamlString('C:\\dir\r\n\t')).toBe('"C:\\\\dir\\r\\n\\t"');
    expect(yamlString('\u0000\u001b\u007f\u0085')).toBe('"\\x00\\x1B\\x7F\\x85"');
    expect(yamlString('evil\u202Evsc\u2028\ufeff')).toBe('"evil\\u202Evsc\\u2028\\uFEFF"');
    expect(yamlString('lone\ud800 pair😀')).toBe('"lone\ufffd pair😀"');
    expect(yamlString('ünïcödé: #ok')).toBe('"ünïcödé: #ok"');
  });

  it('round-trips through JSON for the escapes JSON shares with YAML', () => {
    const s = 'x"y\\z\nw\tv';
    expect(JSON.parse(yamlString(s))).toBe(s);
  });
});

describe('markdownText', () => {
  it('escapes inline syntax and makes invisible characters visible', () => {
    expect(markdownText('a|b')).toBe('a\\|b');
    expect(markdownText('*x* _y_ ~z~')).toBe('\\*x\\* \\_y\\_ \\~z\\~');
    expect(markdownText('a & <b>')).toBe('a &amp; &lt;b&gt;');
    expect(markdownText('r\rn\nrn\r\n')).toBe('r<br>n<br>rn<br>');
    expect(markdownText('\u200F\u0007')).toBe('U+200FU+0007');
  });
});
