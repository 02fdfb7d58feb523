// Single-key shortcuts of the page: q adds a task, / searches, j and k go from task to
// task, e edits the task in focus, Delete deletes it, ? lists them. A key typed into a
// field is the field's, and a key pressed with Ctrl, Alt or Meta is the browser's. They
// can be turned off in their list (WCAG 2.1.4: a person who speaks to the page must not
// set them off by a word), a choice this browser keeps for the next visit.

import { $ } from './dom.js';

// The one thing the page keeps in localStorage: that this browser turned the shortcuts
// off. It is no one's data, so signing out leaves it.
const OFF = 'taskwire.shortcuts-off';

// Inputs that take no typing: a key pressed on one of them may be a shortcut.
const UNTYPED = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

/** Reports whether this browser turned the shortcuts off; a browser without storage keeps them on. */
function turnedOff() {
  try {
    return localStorage.getItem(OFF) === '1';
  } catch {
    return false;
  }
}

/** Keeps whether the shortcuts are on; where storage is refused, the choice lasts as long as the page. */
function keep(on) {
  try {
    if (on) localStorage.removeItem(OFF);
    else localStorage.setItem(OFF, '1');
  } catch { /* kept in the checkbox only */ }
}

/** Reports whether el takes typed text, so that a key pressed there is typing, not a shortcut. */
function typing(el) {
  if (!(el instanceof Element)) return false;
  if (el.isContentEditable || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  return el.tagName === 'INPUT' && !UNTYPED.has(el.type);
}

/** The task rows shown, in list order. */
const rows = () => [...document.querySelectorAll('#tasks li.task')];

/** The row of the task that has the focus, or null. */
const current = () => document.activeElement?.closest?.('#tasks li.task') || null;

/**
 * Moves the focus by step rows (1 down, -1 up) to that row's first control, its box: from
 * no row, j goes to the first and k to the last. The focus scrolls the row into view.
 */
function go(step) {
  const all = rows();
  if (!all.length) return;
  const at = all.indexOf(current());
  const next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(Math.max(at + step, 0), all.length - 1);
  all[next].querySelector('input, button')?.focus();
}

/**
 * Starts the shortcuts. actions are the page's: quickAdd() and search() move the focus to
 * their fields, edit(id) and remove(id) act on the task with id, shown() reports whether
 * the signed-in page is shown (before sign-in no key is a shortcut).
 */
export function startShortcuts(actions) {
  const panel = $('#keys-panel');
  const box = $('#keys-on');
  box.checked = !turnedOff();
  box.addEventListener('change', () => keep(box.checked));
  $('#keys-button').addEventListener('click', () => panel.showModal());
  $('#keys-close').addEventListener('click', () => panel.close());

  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.isComposing || e.ctrlKey || e.altKey || e.metaKey) return;
    if (!box.checked || !actions.shown() || document.querySelector('dialog[open]') || typing(e.target)) return;
    const row = current();
    const run = {
      q: () => actions.quickAdd(),
      '/': () => actions.search(),
      j: () => go(1),
      k: () => go(-1),
      '?': () => panel.showModal(),
      e: row && (() => actions.edit(row.dataset.id)),
      Delete: row && (() => actions.remove(row.dataset.id)),
      Backspace: row && (() => actions.remove(row.dataset.id)),
    }[e.key];
    if (!run) return;
    e.preventDefault(); // the key does this, and types nothing where the focus lands
    run();
  });
}
