/**
 * The Hugging Face dataset card (`README.md`) written beside an exported dataset (issue 13): YAML front
 * matter the Hub reads (`configs` → which Parquet file is which split; `dataset_info` → features and split
 * sizes), then a Markdown body with the counts a reader needs to judge the data (per split, label,
 * participant, device and quality), the export parameters and the dataset version.
 *
 * A split may be several Parquet files (`data/train-00000-of-00003.parquet`, …): `data_files` lists every
 * path of the split in order, and `dataset_info.splits` gives the split's example count over all its files.
 * Plots (PNG files beside the card) are linked under "Plots".
 *
 * Pure string building, deterministic: every table is sorted by key, so the same export gives the same
 * bytes whatever order its maps were filled in. Labels, participant ids and device names are user text;
 * every such string is double-quoted with escapes in YAML and escaped in Markdown, so quotes, `:`, `#`,
 * `|`, newlines and bidirectional controls cannot break the front matter or a table.
 */

/**
 * One column of the exported Parquet files: a scalar `dtype`, `sequence: float32` for a list column, or
 * `dtype: 'audio'` for a column the `datasets` library decodes as audio (Parquet: a struct of `bytes` and
 * `path`). For audio, `sampling_rate` (Hz) is the rate `datasets` resamples to when decoding; without it the
 * file's own rate is kept. Written as `datasets` writes its `Audio` feature: `dtype: audio` alone, or
 * `dtype: {audio: {sampling_rate: N}}` with a rate.
 */
export interface CardFeature {
  name: string;
  dtype?: 'string' | 'int32' | 'int64' | 'float32' | 'float64' | 'bool' | 'audio';
  sequence?: 'float32';
  /** Only with `dtype: 'audio'`: a whole number of Hz. */
  sampling_rate?: number;
}

/** A plot linked from the card: a relative path in the dataset repository (e.g. `plots/class-balance.png`). */
export interface CardImage {
  path: string;
  /** What the plot shows, for readers who cannot see it (user text allowed: escaped). */
  alt: string;
}

/** Everything the card says. Counts are windows (examples) unless named otherwise. */
export interface CardInput {
  title: string;
  description: string;
  features: CardFeature[];
  /**
   * One entry per split; `files` are its Parquet paths in the repository, in order, e.g.
   * `data/train-00000-of-00003.parquet` … `data/train-00002-of-00003.parquet`, and `examples` its windows over
   * all of them. Paths are literal (the Hub would read `*`, `?`, `[`, `{` as a glob) and relative.
   */
  splits: { name: string; examples: number; files: string[] }[];
  /**
   * `bySplit` must agree with `splits[].examples` (checked); `hours` is the recorded time covered;
   * `quality` counts recordings (not windows) per quality status.
   */
  counts: {
    byLabel: Record<string, number>;
    byParticipant: Record<string, number>;
    byDevice: Record<string, number>;
    bySplit: Record<string, number>;
    hours: number;
    quality: Record<string, number>;
  };
  /** Export parameters: window, hop, rate, label policy, seed, … */
  parameters: Record<string, string | number | boolean | null>;
  /** The dataset version hash. */
  version: string;
  /** Plots shown under "Plots", in this order (none: no such section). */
  images?: CardImage[];
}

const DTYPES: ReadonlySet<string> = new Set(['string', 'int32', 'int64', 'float32', 'float64', 'bool', 'audio']);
/** Characters `datasets` reads as glob syntax in a `data_files` path. */
const GLOB_CHARS = /[*?[\]{}]/;
/** Image paths written into a Markdown link as they are: relative, plain file-name characters only. */
const IMAGE_PATH = /^(?!\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;
/** Split names the Hub accepts (`datasets` checks `^\w+(\.\w+)*$`). */
const SPLIT_NAME = /^\w+(?:\.\w+)*$/;
/** The usual split order; other names follow in code-unit order. */
const SPLIT_RANK: Readonly<Record<string, number>> = { train: 0, validation: 1, test: 2 };

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Train, validation, test, then other split names in code-unit order: the order files and tables list splits in. */
export function compareSplits(a: string, b: string): number {
  const ra = SPLIT_RANK[a] ?? 3;
  const rb = SPLIT_RANK[b] ?? 3;
  return ra !== rb ? ra - rb : compareCodeUnits(a, b);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function hex(code: number, digits: number): string {
  return code.toString(16).toUpperCase().padStart(digits, '0');
}

/**
 * A YAML double-quoted scalar: `\` and `"` escaped, every character outside YAML's printable set (C0, DEL,
 * C1, U+FFFE/U+FFFF) and the line separators and bidirectional controls written as escapes, lone UTF-16
 * surrogates (not representable in UTF-8) replaced by U+FFFD. Valid YAML 1.1 and 1.2 whatever the input.
 */
export function yamlString(s: string): string {
  let out = '"';
  for (const ch of s.replace(LONE_SURROGATE, '\ufffd')) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) out += `\\x${hex(c, 2)}`;
    else if (c === 0xfffe || c === 0xffff || isInvisibleFormat(c)) out += `\\u${hex(c, 4)}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Line/paragraph separators, bidi marks, embeddings, overrides and isolates, and the byte-order mark. */
function isInvisibleFormat(c: number): boolean {
  return c === 0x061c || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069) || c === 0x2028 || c === 0x2029 || c === 0xfeff;
}

/**
 * User text as literal inline Markdown, safe inside a table cell: backslash and the inline-syntax
 * characters are backslash-escaped (`|` so it cannot end a cell), `<`, `>` and `&` become entities (no
 * HTML, no autolinks), line breaks become `<br>`, and control and bidirectional characters are shown as
 * `U+XXXX` so they can neither reorder the row nor hide in it.
 */
export function markdownText(s: string): string {
  let out = '';
  const text = s.replace(LONE_SURROGATE, '\ufffd').replace(/\r\n?/g, '\n');
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if (ch === '\n' || c === 0x85 || c === 0x2028 || c === 0x2029) out += '<br>';
    else if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if ('\\`*_[]|~$'.includes(ch)) out += `\\${ch}`;
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || isInvisibleFormat(c) || c === 0xfffe || c === 0xffff) {
      out += `U+${hex(c, 4)}`;
    } else out += ch;
  }
  return out;
}

/** A line of a Markdown paragraph: {@link markdownText}, plus its first character escaped when it would start a block. */
function markdownLine(line: string): string {
  const text = markdownText(line);
  if (/^[#=+-]/.test(text)) return `\\${text}`;
  // A backslash before a digit is literal in Markdown; an ordered-list marker is escaped at its `.` or `)`.
  return text.replace(/^(\d+)([.)])/, '$1\\$2');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  if (rows.length === 0) return ['None.'];
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => ' --- ').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function share(count: number, total: number): string {
  return total > 0 ? `${((100 * count) / total).toFixed(1)} %` : '—';
}

function sortedEntries(record: Readonly<Record<string, number>>): [string, number][] {
  return Object.entries(record).sort(([a], [b]) => compareCodeUnits(a, b));
}

function countTable(
  title: string, keyHeader: string, record: Readonly<Record<string, number>>, withShare: boolean, unit = 'Windows',
): string[] {
  const entries = sortedEntries(record);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const header = withShare ? [keyHeader, unit, 'Share'] : [keyHeader, unit];
  const rows = entries.map(([k, n]) => {
    const row = [markdownText(k), String(n)];
    return withShare ? [...row, share(n, total)] : row;
  });
  return [`### ${title}`, '', ...table(header, rows), ''];
}

function checkInput(c: CardInput): void {
  const names = new Set<string>();
  for (const f of c.features) {
    if (names.has(f.name)) throw new RangeError(`Dataset card: feature "${f.name}" is listed twice.`);
    names.add(f.name);
    const hasDtype = f.dtype !== undefined;
    const hasSequence = f.sequence !== undefined;
    if (hasDtype === hasSequence) {
      throw new RangeError(`Dataset card: feature "${f.name}" needs exactly one of dtype or sequence.`);
    }
    if (hasDtype && !DTYPES.has(f.dtype as string)) {
      throw new RangeError(`Dataset card: feature "${f.name}" has unknown dtype "${String(f.dtype)}".`);
    }
    if (hasSequence && f.sequence !== 'float32') {
      throw new RangeError(`Dataset card: feature "${f.name}" has unknown sequence type "${String(f.sequence)}".`);
    }
    if (f.sampling_rate !== undefined) {
      if (f.dtype !== 'audio') throw new RangeError(`Dataset card: feature "${f.name}" has a sampling_rate but is not audio.`);
      if (!Number.isSafeInteger(f.sampling_rate) || f.sampling_rate <= 0) {
        throw new RangeError(`Dataset card: feature "${f.name}" has sampling_rate ${f.sampling_rate}; expected a whole number of Hz > 0.`);
      }
    }
  }
  const paths = new Set<string>();
  const splits = new Set<string>();
  for (const s of c.splits) {
    if (!SPLIT_NAME.test(s.name)) {
      throw new RangeError(`Dataset card: split name "${s.name}" must be letters, digits and "_" (dots between).`);
    }
    if (splits.has(s.name)) throw new RangeError(`Dataset card: split "${s.name}" is listed twice.`);
    splits.add(s.name);
    if (!Number.isSafeInteger(s.examples) || s.examples < 0) {
      throw new RangeError(`Dataset card: split "${s.name}" has ${s.examples} examples; expected a whole number ≥ 0.`);
    }
    if (s.files.length === 0) throw new RangeError(`Dataset card: split "${s.name}" has no file.`);
    for (const file of s.files) {
      if (file === '' || file.startsWith('/') || GLOB_CHARS.test(file)) {
        throw new RangeError(`Dataset card: split "${s.name}" file "${file}" must be a relative path without * ? [ ] { }.`);
      }
      if (paths.has(file)) throw new RangeError(`Dataset card: file "${file}" is listed twice.`);
      paths.add(file);
    }
    const counted = c.counts.bySplit[s.name];
    if (counted !== undefined && counted !== s.examples) {
      throw new RangeError(`Dataset card: split "${s.name}" has ${s.examples} examples but counts say ${counted}.`);
    }
  }
  for (const [name, counted] of Object.entries(c.counts.bySplit)) {
    if (!splits.has(name) && counted !== 0) throw new RangeError(`Dataset card: counts name split "${name}", which has no file.`);
  }
  for (const image of c.images ?? []) {
    if (!IMAGE_PATH.test(image.path)) {
      throw new RangeError(`Dataset card: image path "${image.path}" must be relative, of letters, digits, ".", "_", "-" and "/".`);
    }
  }
}

function featureLines(f: CardFeature): string[] {
  if (f.sequence !== undefined) return [`    sequence: ${f.sequence}`];
  if (f.dtype === 'audio' && f.sampling_rate !== undefined) {
    return ['    dtype:', '      audio:', `        sampling_rate: ${f.sampling_rate}`];
  }
  return [`    dtype: ${f.dtype as string}`];
}

function frontMatter(c: CardInput, splits: CardInput['splits']): string[] {
  const lines = ['---', `pretty_name: ${yamlString(c.title)}`, 'configs:', '- config_name: default', '  data_files:'];
  for (const s of splits) {
    lines.push(`  - split: ${s.name}`);
    if (s.files.length === 1) lines.push(`    path: ${yamlString(s.files[0] as string)}`);
    else lines.push('    path:', ...s.files.map((f) => `    - ${yamlString(f)}`));
  }
  lines.push('dataset_info:', '  features:');
  for (const f of c.features) {
    lines.push(`  - name: ${yamlString(f.name)}`, ...featureLines(f));
  }
  lines.push('  splits:');
  for (const s of splits) lines.push(`  - name: ${s.name}`, `    num_examples: ${s.examples}`);
  lines.push('---');
  return lines;
}

/** The "Plots" section: one image per paragraph, alt text on one line and escaped (`[`, `]` cannot end it). */
function plots(images: readonly CardImage[]): string[] {
  if (images.length === 0) return [];
  const lines = ['## Plots', ''];
  for (const image of images) lines.push(`![${markdownText(image.alt.replace(/[\s\u0085]+/g, ' ').trim())}](${image.path})`, '');
  return lines;
}

function parameterValue(v: string | number | boolean | null): string {
  return v === null ? 'null' : markdownText(String(v));
}

/**
 * The dataset card: YAML front matter (`pretty_name`, `configs` with the default config's `data_files`
 * per split, `dataset_info` with `features` and `splits`), then the Markdown body. Splits are listed
 * train, validation, test, then others by name; every other table is sorted by key.
 *
 * @throws RangeError on a feature given twice, with not exactly one of `dtype`/`sequence`, or with a
 *   `sampling_rate` that is not audio or not a whole number > 0; a split name the Hub rejects or given twice, a
 *   split with no file, a file path that is absolute, empty, glob-like or listed twice, a split count that is not
 *   a whole number, or `counts.bySplit` disagreeing with `splits` (the card must not contradict its files; a
 *   split with 0 windows may be left out); an image path that is not a plain relative path.
 */
export function datasetCard(c: CardInput): string {
  checkInput(c);
  const splits = [...c.splits].sort((a, b) => compareSplits(a.name, b.name));
  const totalExamples = splits.reduce((sum, s) => sum + s.examples, 0);
  const hours = Number.isFinite(c.counts.hours) ? c.counts.hours.toFixed(2) : String(c.counts.hours);

  const body = [
    '',
    `# ${markdownText(c.title.replace(/\s+/g, ' ').trim())}`,
    '',
    ...c.description.replace(/\r\n?/g, '\n').split('\n').map((line) => (line.trim() === '' ? '' : markdownLine(line.trim()))),
    '',
    '## Contents',
    '',
    `Total recorded time: ${hours} h; ${totalExamples} windows.`,
    '',
    '### Splits',
    '',
    'Split by participant: no participant is in two splits.',
    '',
    ...table(
      ['Split', 'Windows', 'Share', splits.some((s) => s.files.length > 1) ? 'Files' : 'File'],
      splits.map((s) => [s.name, String(s.examples), share(s.examples, totalExamples), s.files.map(markdownText).join('<br>')]),
    ),
    '',
    ...countTable('Labels (class balance)', 'Label', c.counts.byLabel, true),
    ...countTable('Participants', 'Participant', c.counts.byParticipant, false),
    ...countTable('Devices', 'Device', c.counts.byDevice, true),
    ...countTable('Quality of the recordings', 'Quality', c.counts.quality, true, 'Recordings'),
    ...plots(c.images ?? []),
    '## Export parameters',
    '',
    ...table(
      ['Parameter', 'Value'],
      Object.keys(c.parameters).sort(compareCodeUnits)
        .map((k) => [markdownText(k), parameterValue(c.parameters[k] ?? null)]),
    ),
    '',
    '## Version',
    '',
    `Dataset version: ${markdownText(c.version)}`,
    '',
  ];
  return [...frontMatter(c, splits), ...body].join('\n');
}
