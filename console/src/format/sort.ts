/**
 * Sorting for the console's tables: one comparator for the values a column holds (numbers, text, nothing),
 * missing values always last whichever way the column is sorted (an empty cell at the top hides the data),
 * and ties kept in their arriving order (Array.prototype.sort is stable).
 */
export type SortDir = 'asc' | 'desc';
export type SortValue = number | string | null | undefined;

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Ascending order of two present values: numbers by value, text in natural order (P2 before P10). */
export function compareValues(a: NonNullable<SortValue>, b: NonNullable<SortValue>): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

function missing(v: SortValue): v is null | undefined {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

export function comparator<T>(key: (item: T) => SortValue, dir: SortDir): (a: T, b: T) => number {
  const sign = dir === 'asc' ? 1 : -1;
  return (x, y) => {
    const a = key(x);
    const b = key(y);
    if (missing(a)) return missing(b) ? 0 : 1;
    if (missing(b)) return -1;
    return sign * compareValues(a, b);
  };
}

/** A sorted copy (the caller's array is left as it came from the API). */
export function sortBy<T>(items: readonly T[], key: (item: T) => SortValue, dir: SortDir): T[] {
  return [...items].sort(comparator(key, dir));
}
