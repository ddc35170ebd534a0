/**
 * Dataset splits by participant (issue 13). Windows of one participant are strongly correlated, so a split
 * by window would leak a person's data into both train and test; every participant therefore goes to
 * exactly one split. Pure and deterministic: the same participants, ratios and seed always give the same
 * assignment, on any machine, and participants frozen by an earlier manifest never move.
 */

/** Split names and their shares. `ratios` need not sum to 1: {@link assignSplits} divides by their sum. */
export interface SplitSpec { names: string[]; ratios: number[] }

/** One participant to assign; `stratum` (device kind, "has-label"/"no-label", …) splits each group on its own. */
export interface ParticipantInfo { id: string; stratum?: string }

/** Split names by number of parts in a split text: "100", "80/20", "70/15/15". */
const NAMES_BY_PARTS: readonly (readonly string[])[] = [
  ['train'],
  ['train', 'test'],
  ['train', 'validation', 'test'],
];

const PART = /^\d+(?:\.\d+)?$/;

/**
 * Parses a split text such as `"70/15/15"` (train/validation/test), `"80/20"` (train/test) or `"100"`
 * (train only). Parts are non-negative decimal numbers separated by `/`, spaces around them allowed; they
 * are divided by their total, so `"7/1.5/1.5"` equals `"70/15/15"`. A single part may be 0 (an empty split).
 *
 * @throws RangeError naming the problem: empty text, more than 3 parts, a part that is not a non-negative
 *   number, or a total of zero.
 */
export function parseSplit(text: string): SplitSpec {
  const trimmed = text.trim();
  if (trimmed === '') {
    throw new RangeError('Split is empty: give shares separated by "/", e.g. "70/15/15", "80/20" or "100".');
  }
  const parts = trimmed.split('/').map((p) => p.trim());
  const names = NAMES_BY_PARTS[parts.length - 1];
  if (names === undefined) {
    throw new RangeError(
      `Split "${text}" has ${parts.length} parts; at most 3 are allowed (train/validation/test), e.g. "70/15/15".`,
    );
  }
  const values = parts.map((p, i) => {
    if (!PART.test(p)) {
      throw new RangeError(
        `Split "${text}": part ${i + 1} ("${p}") is not a non-negative number; use e.g. "70/15/15".`,
      );
    }
    return Number(p);
  });
  const total = values.reduce((a, b) => a + b, 0);
  if (!(total > 0) || !Number.isFinite(total)) {
    throw new RangeError(`Split "${text}" has a total of ${total}; at least one part must be greater than 0.`);
  }
  return { names: [...names], ratios: values.map((v) => v / total) };
}

// FNV-1a 64-bit constants, and the MurmurHash3 fmix64 finaliser constants.
const MASK64 = (1n << 64n) - 1n;
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const FMIX_1 = 0xff51afd7ed558ccdn;
const FMIX_2 = 0xc4ceb9fe1a85ec53n;

const utf8 = new TextEncoder();

/**
 * The order key of a participant: FNV-1a 64-bit over the UTF-8 bytes of `seed + ":" + id`, followed by the
 * MurmurHash3 `fmix64` finaliser. FNV-1a alone changes mostly middle bits when only the last byte differs
 * (ids "p01", "p02", … would keep nearly the same relative order under every seed); the finaliser spreads
 * every input bit over the whole key. Pure BigInt arithmetic, so it is the same on every platform.
 */
export function participantOrderKey(seed: number, id: string): bigint {
  let h = FNV_OFFSET;
  for (const byte of utf8.encode(`${seed}:${id}`)) {
    h ^= BigInt(byte);
    h = (h * FNV_PRIME) & MASK64;
  }
  h ^= h >> 33n;
  h = (h * FMIX_1) & MASK64;
  h ^= h >> 33n;
  h = (h * FMIX_2) & MASK64;
  h ^= h >> 33n;
  return h;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkSpec(spec: SplitSpec): void {
  if (spec.names.length === 0 || spec.names.length !== spec.ratios.length) {
    throw new RangeError(
      `Split spec needs one ratio per name; got ${spec.names.length} names and ${spec.ratios.length} ratios.`,
    );
  }
  if (new Set(spec.names).size !== spec.names.length || spec.names.some((n) => n === '')) {
    throw new RangeError(`Split names must be distinct and non-empty; got ${JSON.stringify(spec.names)}.`);
  }
  if (spec.ratios.some((r) => !Number.isFinite(r) || r < 0) || !(spec.ratios.reduce((a, b) => a + b, 0) > 0)) {
    throw new RangeError(
      `Split ratios must be non-negative finite numbers with a positive total; got ${JSON.stringify(spec.ratios)}.`,
    );
  }
}

/**
 * How many of `n` participants each split gets: cumulative rounding, split k ends at
 * round(n · (r0 + … + rk) / Σr), the last split ends at n. The counts therefore always sum to n and each
 * differs from its exact share by less than one. Halves round up (10 at 70/15/15: 7, then round(8.5) = 9
 * → 2, then the last 1); a 1e-9 tolerance keeps binary-fraction noise (0.7 + 0.15) from flipping a half.
 */
export function splitCounts(n: number, ratios: readonly number[]): number[] {
  const total = ratios.reduce((a, b) => a + b, 0);
  const counts: number[] = [];
  let cumulative = 0;
  let previousEnd = 0;
  ratios.forEach((r, k) => {
    cumulative += r;
    const end = k === ratios.length - 1 ? n : Math.min(n, Math.floor((n * cumulative) / total + 0.5 + 1e-9));
    counts.push(Math.max(0, end - previousEnd));
    previousEnd = Math.max(previousEnd, end);
  });
  return counts;
}

/**
 * Deterministic assignment of participants to splits. Participants are ordered by
 * {@link participantOrderKey} (ties, which need a 64-bit collision, by id); within each stratum (or all
 * together when no participant has one; participants without a stratum form one group of their own) the
 * first {@link splitCounts} go to split 0, the next to split 1, the rest to the last.
 *
 * `frozen` maps participant id → split name from an earlier manifest; those participants keep that name as
 * is (even one the current spec no longer has) and the others are assigned as if the frozen ones did not
 * exist, so adding participants never moves an old one. Frozen ids absent from `participants` are not in
 * the result.
 *
 * @returns participant id → split name for every participant, inserted in id order.
 * @throws RangeError on an invalid spec, a non-finite seed or a participant id given twice.
 */
export function assignSplits(
  participants: readonly ParticipantInfo[],
  spec: SplitSpec,
  seed: number,
  frozen?: ReadonlyMap<string, string>,
): Map<string, string> {
  checkSpec(spec);
  if (!Number.isFinite(seed)) throw new RangeError(`Split seed must be a finite number; got ${seed}.`);
  const seen = new Set<string>();
  for (const p of participants) {
    if (seen.has(p.id)) throw new RangeError(`Participant "${p.id}" is listed twice.`);
    seen.add(p.id);
  }

  const assigned = new Map<string, string>();
  const groups = new Map<string | undefined, { id: string; key: bigint }[]>();
  for (const p of participants) {
    const kept = frozen?.get(p.id);
    if (kept !== undefined) {
      assigned.set(p.id, kept);
      continue;
    }
    const group = groups.get(p.stratum) ?? [];
    group.push({ id: p.id, key: participantOrderKey(seed, p.id) });
    groups.set(p.stratum, group);
  }
  for (const group of groups.values()) {
    group.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : compareCodeUnits(a.id, b.id)));
    const counts = splitCounts(group.length, spec.ratios);
    let at = 0;
    counts.forEach((count, k) => {
      for (const { id } of group.slice(at, at + count)) assigned.set(id, spec.names[k] as string);
      at += count;
    });
  }

  const result = new Map<string, string>();
  for (const id of [...assigned.keys()].sort(compareCodeUnits)) result.set(id, assigned.get(id) as string);
  return result;
}

/**
 * Guard before writing a manifest: no participant may be in two splits.
 *
 * @throws Error naming the participant and both splits, e.g. `Participant "p3" is in both splits "test"
 *   and "train"`. A participant listed twice within one split is not an overlap.
 */
export function checkDisjoint(bySplit: Readonly<Record<string, readonly string[]>>): void {
  const splitOf = new Map<string, string>();
  for (const split of Object.keys(bySplit).sort(compareCodeUnits)) {
    for (const id of bySplit[split] ?? []) {
      const other = splitOf.get(id);
      if (other !== undefined && other !== split) {
        throw new Error(`Participant "${id}" is in both splits "${other}" and "${split}"; a participant must be in one.`);
      }
      splitOf.set(id, split);
    }
  }
}
