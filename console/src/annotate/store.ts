/**
 * The annotation layer's state for one open recording, shared by the overlay and the panel: the annotations as
 * shown (every change appears at once), the selection, the undo history, and the queue that saves each change
 * through the API in order. Saving is serial: a change waits for the one before it, so a PATCH always carries the
 * revision the previous write returned, and a region created then moved is created before it is moved.
 */
import { ApiError } from '../api/client';
import type { AnnotationsApi } from './api';
import { History, applyCommand, updateCommand, type Command, type Fields } from './history';
import { failureAction, retryDelayMs } from './save-policy';
import { fieldsOf, itemFrom, type Annotation, type Item } from './types';

export type SaveState = 'saved' | 'saving' | 'retrying';

/** A 412: the annotation changed on the server since this console read it. */
export interface Conflict {
  key: string;
  theirs: Annotation;
  /** What this console tried to make of it; null when it tried to delete it. */
  yours: Fields | null;
}

/** A region drawn but not labelled yet. */
export interface Draft { startS: number; endS: number; adjudicated: boolean }

type Op =
  | { kind: 'create'; key: string; fields: Fields }
  | { kind: 'update'; key: string; change: Partial<Fields> }
  | { kind: 'delete'; key: string };

export interface Me { name: string | null; annotatorId: string | null }

export class AnnotationStore {
  items = new Map<string, Item>();
  /** What the server last confirmed, by key: the revision to send, and what to go back to when a change is refused. */
  private readonly server = new Map<string, Annotation>();
  private readonly history = new History();
  private queue: Op[] = [];
  private pumping = false;
  private attempt = 0;
  private seq = 0;
  private readonly listeners = new Set<() => void>();

  loading = true;
  loadError: string | null = null;
  saveState: SaveState = 'saved';
  /** The API's message for a refused change (shown until dismissed). */
  refusal: string | null = null;
  conflict: Conflict | null = null;
  selected: string | null = null;
  draft: Draft | null = null;
  /** Picked in the panel: a drawn region takes it at once. */
  currentLabel: string | null = null;
  lastLabel: string | null = null;
  showRejected = false;
  threshold = 0;
  compareA: string | null = null;
  compareB: string | null = null;
  /** Disagreements a reviewer settled as "nothing there" (no annotation to copy), by "start:end". */
  readonly settled = new Set<string>();
  /** Bumped on every change, for memoising. */
  version = 0;

  /** `before`: what the first load waits for (the page's first plot, so the samples are answered first). */
  constructor(readonly recordingId: string, private readonly api: AnnotationsApi, private readonly me: Me, before: Promise<void> = Promise.resolve()) {
    void before.then(() => this.load());
  }

  /** The signed-in annotator (null with the admin token). */
  get myAnnotatorId(): string | null {
    return this.me.annotatorId;
  }

  subscribe(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  emit(): void {
    this.version++;
    for (const l of this.listeners) l();
  }

  async load(): Promise<void> {
    try {
      const list = await this.api.list(this.recordingId);
      this.items = new Map(list.map((a) => [a.id, itemFrom(a.id, a)]));
      this.server.clear();
      for (const a of list) this.server.set(a.id, a);
      this.loadError = null;
    } catch (e) {
      this.loadError = e instanceof Error ? e.message : String(e);
    }
    this.loading = false;
    this.emit();
  }

  /**
   * Takes in what others changed meanwhile, when nothing of ours is waiting to be saved. Items keep their local
   * keys; the undo history forgets an annotation someone else changed, so an undo can never put back a stale copy
   * over their work.
   */
  async refresh(): Promise<void> {
    if (this.queue.length > 0 || this.loading) return;
    let list: Annotation[];
    try { list = await this.api.list(this.recordingId); } catch { return; }
    if (this.queue.length > 0) return; // a change was made while the list was on its way: the next refresh takes it
    const keyOf = new Map([...this.server.entries()].map(([k, a]) => [a.id, k]));
    const items = new Map<string, Item>();
    const server = new Map<string, Annotation>();
    for (const a of list) {
      const key = keyOf.get(a.id) ?? a.id;
      const mine = this.server.get(key);
      if (mine && mine.revision !== a.revision) this.history.forget(key);
      items.set(key, itemFrom(key, a));
      server.set(key, a);
    }
    for (const key of this.server.keys()) if (!server.has(key)) this.history.forget(key);
    this.items = items;
    this.server.clear();
    for (const [k, a] of server) this.server.set(k, a);
    if (this.selected && !items.has(this.selected)) this.selected = null;
    this.emit();
  }

  get canUndo(): boolean { return this.history.canUndo; }
  get canRedo(): boolean { return this.history.canRedo; }
  get pending(): number { return this.queue.length; }

  /** Items sorted by start (then end), the order of the lists and of tabbing. */
  sorted(): Item[] {
    return [...this.items.values()].sort((a, b) => a.startS - b.startS || a.endS - b.endS || (a.key < b.key ? -1 : 1));
  }

  select(key: string | null): void {
    if (this.selected === key && !this.draft) return;
    this.selected = key;
    this.draft = null;
    this.emit();
  }

  setDraft(d: Draft | null): void { this.draft = d; if (d) this.selected = null; this.emit(); }

  set<K extends 'currentLabel' | 'showRejected' | 'threshold' | 'compareA' | 'compareB' | 'refusal'>(k: K, v: AnnotationStore[K]): void {
    (this as AnnotationStore)[k] = v;
    this.emit();
  }

  // ---- changes (each is one undoable command, saved at once) ----

  create(startS: number, endS: number, label: string, adjudicated = false): string {
    const key = `new-${++this.seq}`;
    this.lastLabel = label;
    this.perform({ kind: 'create', key, fields: { startS: Math.min(startS, endS), endS: Math.max(startS, endS), label, status: 'accepted', adjudicated } });
    this.selected = key;
    this.draft = null;
    this.emit();
    return key;
  }

  change(key: string, change: Partial<Fields>): void {
    const it = this.items.get(key);
    if (!it) return;
    const c = updateCommand(key, fieldsOf(it), change);
    if (c) this.perform(c);
    if (change.label) this.lastLabel = change.label;
  }

  remove(key: string): void {
    const it = this.items.get(key);
    if (!it) return;
    if (this.selected === key) this.selected = null;
    this.perform({ kind: 'delete', key, fields: fieldsOf(it) });
  }

  undo(): void { const c = this.history.undo(); if (c) this.apply(c); }
  redo(): void { const c = this.history.redo(); if (c) this.apply(c); }

  private perform(c: Command): void {
    this.history.push(c);
    this.apply(c);
  }

  private apply(c: Command): void {
    const prev = this.items.get(c.key);
    this.items = applyCommand(this.items, c, (key, f) => this.made(key, f));
    if (c.kind === 'delete' && prev) this.graveyard.set(c.key, prev);
    if (c.kind === 'delete' && this.selected === c.key) this.selected = null;
    this.enqueue(c.kind === 'update' ? { kind: 'update', key: c.key, change: c.after } : c.kind === 'create' ? { kind: 'create', key: c.key, fields: c.fields } : { kind: 'delete', key: c.key });
    this.emit();
  }

  /** Deleted items, so undoing a delete brings back who made it (until the server answers). */
  private readonly graveyard = new Map<string, Item>();

  private made(key: string, f: Fields): Item {
    const old = this.graveyard.get(key);
    return old ? { ...old, ...f, id: null } : {
      key, id: null, ...f, source: 'human', confidence: null, detector: null, detectorVersion: null,
      annotatorId: this.me.annotatorId, annotatorName: this.me.name, changedByName: null,
    };
  }

  // ---- saving ----

  private enqueue(op: Op): void {
    this.queue.push(op);
    if (this.saveState === 'saved') this.saveState = 'saving';
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const op = this.queue[0]!;
        try {
          await this.exec(op);
          this.queue.shift();
          this.attempt = 0;
          if (this.saveState === 'retrying') this.saveState = 'saving';
        } catch (e) {
          const err = e instanceof ApiError ? e : new ApiError(0, 'network', String(e));
          const action = failureAction(err.status, err.code);
          if (action === 'retry') {
            this.saveState = 'retrying';
            this.emit();
            await new Promise((r) => setTimeout(r, retryDelayMs(this.attempt++)));
            continue;
          }
          this.queue.shift();
          this.attempt = 0;
          if (action === 'conflict') this.onConflict(op, err.details?.current as Annotation | undefined);
          else this.onRefused(op, action === 'gone' ? 'Someone else deleted this annotation; it is gone.' : err.message, action === 'gone');
        }
        this.emit();
      }
    } finally {
      this.pumping = false;
      this.saveState = 'saved';
      this.emit();
    }
  }

  private async exec(op: Op): Promise<void> {
    const s = this.server.get(op.key);
    let answer: Annotation | null = null;
    if (op.kind === 'create') {
      answer = await this.api.create(this.recordingId, { startS: op.fields.startS, endS: op.fields.endS, label: op.fields.label, ...(op.fields.adjudicated ? { adjudicated: true } : {}) });
    } else if (!s) {
      return; // its create was refused: nothing on the server to change
    } else if (op.kind === 'update') {
      answer = await this.api.update(s.id, s.revision, op.change);
    } else {
      await this.api.remove(s.id, s.revision);
      this.server.delete(op.key);
      return;
    }
    this.server.set(op.key, answer);
    const cur = this.items.get(op.key);
    if (!cur) return; // deleted meanwhile; the queued delete follows
    const later = this.queue.slice(1).some((o) => o.key === op.key);
    // Nothing else queued for it: take the server's word for every field; else keep what is on screen.
    this.items.set(op.key, later ? { ...itemFrom(op.key, answer), ...fieldsOf(cur) } : itemFrom(op.key, answer));
  }

  private dropQueued(key: string): void {
    this.queue = this.queue.filter((o, i) => i === 0 || o.key !== key);
  }

  private onConflict(op: Op, theirs: Annotation | undefined): void {
    this.dropQueued(op.key);
    this.history.forget(op.key);
    const mine = this.items.get(op.key);
    if (!theirs) { this.onRefused(op, 'Someone else changed this annotation.', false); return; }
    this.conflict = { key: op.key, theirs, yours: op.kind === 'delete' || !mine ? null : fieldsOf(mine) };
  }

  private onRefused(op: Op, message: string, gone: boolean): void {
    this.dropQueued(op.key);
    this.history.forget(op.key);
    const s = this.server.get(op.key);
    if (gone) this.server.delete(op.key);
    if (s && !gone) this.items.set(op.key, itemFrom(op.key, s));
    else { this.items.delete(op.key); if (this.selected === op.key) this.selected = null; }
    this.refusal = message;
  }

  /** "Reload theirs": show the annotation as the server has it now. */
  takeTheirs(): void {
    const c = this.conflict;
    if (!c) return;
    this.server.set(c.key, c.theirs);
    this.items.set(c.key, itemFrom(c.key, c.theirs));
    this.conflict = null;
    this.emit();
  }

  /** "Keep both": theirs stays as it is now, yours becomes a new annotation. */
  keepBoth(): void {
    const c = this.conflict;
    if (!c) return;
    this.takeTheirs();
    if (c.yours) this.create(c.yours.startS, c.yours.endS, c.yours.label, c.yours.adjudicated);
  }
}
