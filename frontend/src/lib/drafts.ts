import { useEffect } from 'react';

/**
 * Drafts of long forms, kept in this tab's sessionStorage so an expired session does not lose what was typed: the
 * form saves as it changes, and restores after the person signed in again. Never a password or a secret: fields
 * named like one are dropped, and so is any value that looks like a key secret, whatever its field.
 */
const PREFIX = 'keysmith.draft.';
const SECRET_NAME = /pass(word|phrase)?|secret|token|credential/i;
const SECRET_VALUE = /ksk_[A-Za-z0-9]{20,}/;

export type Draft = Record<string, string | number | boolean | string[] | null>;

function safe(values: Draft): Draft {
  return Object.fromEntries(
    Object.entries(values).filter(
      ([name, v]) =>
        !SECRET_NAME.test(name) &&
        !(typeof v === 'string' ? SECRET_VALUE.test(v) : JSON.stringify(v).match(SECRET_VALUE)),
    ),
  );
}

const blank = (v: unknown) => v === '' || v === null || v === false || (Array.isArray(v) && v.length === 0);

export function saveDraft(id: string, values: Draft) {
  try {
    const kept = safe(values);
    if (Object.values(kept).every(blank)) window.sessionStorage.removeItem(PREFIX + id);
    else window.sessionStorage.setItem(PREFIX + id, JSON.stringify(kept));
  } catch {
    // storage full or refused: the form still works, only without a draft
  }
}

export function loadDraft<T extends Draft>(id: string): Partial<T> | undefined {
  try {
    const raw = window.sessionStorage.getItem(PREFIX + id);
    const parsed: unknown = raw ? JSON.parse(raw) : undefined;
    return parsed && typeof parsed === 'object' ? (safe(parsed as Draft) as Partial<T>) : undefined;
  } catch {
    return undefined;
  }
}

export function clearDraft(id: string) {
  try {
    window.sessionStorage.removeItem(PREFIX + id);
  } catch {
    // nothing stored
  }
}

/**
 * Saves the form's values as its draft whenever they change. `keep` false (an edit form showing what is stored, or a
 * form already submitted) removes the draft instead, so only unsaved changes are ever restored.
 */
export function useDraft(id: string, values: Draft, keep = true) {
  const json = JSON.stringify(values);
  useEffect(() => (keep ? saveDraft(id, JSON.parse(json) as Draft) : clearDraft(id)), [id, json, keep]);
}
