import { describe, expect, it } from 'vitest';
import { History, applyCommand, inverse, updateCommand, type Command, type Fields } from './history';

type Item = Fields & { key: string };
const f = (startS: number, endS: number, label = 'walk'): Fields => ({ startS, endS, label, status: 'accepted', adjudicated: false });
const make = (key: string, fields: Fields): Item => ({ key, ...fields });

describe('the undo/redo command history', () => {
  it('inverts each kind of command', () => {
    expect(inverse({ kind: 'create', key: 'k', fields: f(1, 2) })).toEqual({ kind: 'delete', key: 'k', fields: f(1, 2) });
    expect(inverse({ kind: 'delete', key: 'k', fields: f(1, 2) })).toEqual({ kind: 'create', key: 'k', fields: f(1, 2) });
    expect(inverse({ kind: 'update', key: 'k', before: { startS: 1 }, after: { startS: 1.5 } })).toEqual({ kind: 'update', key: 'k', before: { startS: 1.5 }, after: { startS: 1 } });
  });

  it('builds an update of only the fields that changed', () => {
    expect(updateCommand('k', f(1, 2), { startS: 1, endS: 2.5 })).toEqual({ kind: 'update', key: 'k', before: { endS: 2 }, after: { endS: 2.5 } });
    expect(updateCommand('k', f(1, 2), { startS: 1 })).toBeNull();
  });

  it('undoes and redoes a sequence back to each state', () => {
    const h = new History();
    let items = new Map<string, Item>();
    const run = (c: Command | null): void => { if (c) items = applyCommand(items, c, make); };
    const doIt = (c: Command): void => { h.push(c); run(c); };

    doIt({ kind: 'create', key: 'a', fields: f(1, 2) });
    doIt(updateCommand('a', items.get('a')!, { endS: 3 })!);
    doIt({ kind: 'update', key: 'a', before: { status: 'accepted' }, after: { status: 'rejected' } });
    const last = items.get('a')!;
    doIt({ kind: 'delete', key: 'a', fields: last });
    expect(items.size).toBe(0);

    run(h.undo());
    expect(items.get('a')).toEqual(last);
    run(h.undo());
    expect(items.get('a')!.status).toBe('accepted');
    run(h.undo());
    expect(items.get('a')!.endS).toBe(2);
    run(h.undo());
    expect(items.size).toBe(0);
    expect(h.canUndo).toBe(false);
    expect(h.undo()).toBeNull();

    run(h.redo());
    run(h.redo());
    expect(items.get('a')).toEqual(make('a', f(1, 3)));
    expect(h.canRedo).toBe(true);
  });

  it('starts a new branch on a new change, and forgets a key', () => {
    const h = new History();
    h.push({ kind: 'create', key: 'a', fields: f(1, 2) });
    h.undo();
    h.push({ kind: 'create', key: 'b', fields: f(3, 4) });
    expect(h.canRedo).toBe(false);
    h.push({ kind: 'update', key: 'a', before: { label: 'walk' }, after: { label: 'run' } });
    h.forget('a');
    expect(h.undo()).toEqual({ kind: 'delete', key: 'b', fields: f(3, 4) });
    expect(h.canUndo).toBe(false);
  });
});
