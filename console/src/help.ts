/**
 * The keyboard help overlay (`?`) lists what the views on screen registered: each view registers its keys while it
 * is mounted (`useHelp`), so the overlay never lists keys that do nothing here.
 */
import { useEffect } from 'preact/hooks';

export interface HelpEntry { keys: string; does: string }
export interface HelpSection { title: string; entries: HelpEntry[] }

const sections = new Map<symbol, HelpSection>();
const listeners = new Set<() => void>();

export function registerHelp(section: HelpSection): () => void {
  const id = Symbol(section.title);
  sections.set(id, section);
  for (const l of listeners) l();
  return () => {
    sections.delete(id);
    for (const l of listeners) l();
  };
}

export function helpSections(): HelpSection[] {
  return [...sections.values()];
}

export function onHelpChange(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Registers a section while the calling component is mounted. */
export function useHelp(section: HelpSection): void {
  const key = JSON.stringify(section);
  useEffect(() => registerHelp(section), [key]);
}

/** True when a key event comes from a text field, where shortcuts must not fire. */
export function typingInField(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  return !!t && (t.isContentEditable || t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT');
}
