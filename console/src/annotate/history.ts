/**
 * Undo/redo as a history of commands on annotations, pure. Each command names the annotation by its local key
 * (stable in the console even when the server gives a re-created annotation a new id), so undoing a delete and
 * redoing it again addresses the same item. Applying a command is what the console then saves: a create is a
 * POST, an update a PATCH, a delete a DELETE — so undo and redo are saved like any other change.
 */

export type Status = 'proposed' | 'accepted' | 'rejected';

/** The fields a person changes. */
export interface Fields { startS: number; endS: number; label: string; status: Status; adjudicated: boolean }

export type Command =
  | { kind: 'create'; key: string; fields: Fields }
  | { kind: 'update'; key: string; before: Partial<Fields>; after: Partial<Fields> }
  | { kind: 'delete'; key: string; fields: Fields };

/** The command that undoes `c`. */
export function inverse(c: Command): Command {
  switch (c.kind) {
    case 'create': return { kind: 'delete', key: c.key, fields: c.fields };
    case 'delete': return { kind: 'create', key: c.key, fields: c.fields };
    case 'update': return { kind: 'update', key: c.key, before: c.after, after: c.before };
  }
}

/** An update command from two states of an annotation, holding only the fields that differ (null: nothing changed). */
export function updateCommand(key: string, before: Fields, after: Partial<Fields>): Command | null {
  const b: Partial<Fields> = {};
  const a: Partial<Fields> = {};
  for (const k of Object.keys(after) as (keyof Fields)[]) {
    if (after[k] === undefined || after[k] === before[k]) continue;
    (b as Record<string, unknown>)[k] = before[k];
    (a as Record<string, unknown>)[k] = after[k];
  }
  return Object.keys(a).length === 0 ? null : { kind: 'update', key, before: b, after: a };
}

/** Applies a command to a keyed collection (a new map; the old one is untouched). `make` builds a created item. */
export function applyCommand<T extends Fields>(items: ReadonlyMap<string, T>, c: Command, make: (key: string, f: Fields) => T): Map<string, T> {
  const next = new Map(items);
  switch (c.kind) {
    case 'create': next.set(c.key, make(c.key, c.fields)); break;
    case 'delete': next.delete(c.key); break;
    case 'update': {
      const cur = next.get(c.key);
      if (cur) next.set(c.key, { ...cur, ...c.after });
      break;
    }
  }
  return next;
}

/** The done and undone stacks. `undo()`/`redo()` return the command to apply now, or null when there is none. */
export class History {
  private done: Command[] = [];
  private undone: Command[] = [];

  constructor(private readonly limit = 500) {}

  /** Records a new change; it clears what was undone (a new branch). */
  push(c: Command): void {
    this.done.push(c);
    if (this.done.length > this.limit) this.done.shift();
    this.undone = [];
  }

  undo(): Command | null {
    const c = this.done.pop();
    if (!c) return null;
    this.undone.push(c);
    return inverse(c);
  }

  redo(): Command | null {
    const c = this.undone.pop();
    if (!c) return null;
    this.done.push(c);
    return c;
  }

  /** Drops every command about `key` (its change was refused or replaced by someone else's: undoing it would be wrong). */
  forget(key: string): void {
    this.done = this.done.filter((c) => c.key !== key);
    this.undone = this.undone.filter((c) => c.key !== key);
  }

  get canUndo(): boolean { return this.done.length > 0; }
  get canRedo(): boolean { return this.undone.length > 0; }
}
