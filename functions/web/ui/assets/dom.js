// Small DOM helpers: elements from data (never from HTML strings, so that a task's title
// is always text), and the toasts that announce what happened.

/** Creates an element: h('button', {class: 'x', onclick}, 'text', child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

// At most this many toasts show at once: more covered the list they speak of.
const MAX_TOASTS = 3;

// Each toast's close, by its element, so that a new toast can close the oldest.
const closers = new WeakMap();
// What closing a toast before its time loses, by toast: 0 a message, 1 its action (an
// Undo), 2 what its time running out does (a deletion, sent then).
const stakes = new WeakMap();

// The toasts' region once toast has begun to keep the page's end clear of it.
let watched = null;

/**
 * Keeps the end of the page clear of the toasts: while any is shown, --toasts-room (which
 * app.css gives the page as room below its content, as scroll padding and as less height
 * for the sticky chat) is as tall as the toasts stand above the window's bottom edge, so
 * that the last rows' buttons and "Load more" can be scrolled above them.
 */
function keepClear(box) {
  if (watched === box) return;
  watched = box;
  new ResizeObserver(() => {
    const room = box.childElementCount ? Math.ceil(window.innerHeight - box.getBoundingClientRect().top) + 8 : 0;
    document.documentElement.style.setProperty('--toasts-room', `${room}px`);
  }).observe(box);
}

/**
 * Shows a message for a while, with an optional action (such as Undo) and extra controls
 * after it (a reminder's Complete, and its snooze choices on a line of their own). The
 * toasts come first in the page's tab order (their region follows the skip link), and a
 * toast stays while the pointer or the focus is on it, so that its action can be reached
 * in time. With MAX_TOASTS shown, a new one closes one the user is not on, as if its time
 * had run out: the oldest of those with the least at stake, a message before an Undo, and
 * an Undo before a deletion waiting for its time (which is sent then).
 */
export function toast(text, { action, onAction, timeout = 6000, onTimeout, kind = 'info', extra } = {}) {
  const box = $('#toasts');
  keepClear(box);
  let done = false;
  let timer;
  const close = (acted) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    const hadFocus = el.contains(document.activeElement);
    el.remove();
    if (acted) onAction?.();
    else onTimeout?.();
    // Focus that was on the toast goes to the next toast, or back to the content, rather
    // than to the start of the page (an action may have put it somewhere already).
    if (hadFocus && (!document.activeElement || document.activeElement === document.body)) {
      ($('button', box) || $('#main')).focus();
    }
  };
  const wait = () => { clearTimeout(timer); timer = setTimeout(() => close(false), timeout); };
  const el = h('div', {
    class: `toast toast-${kind}`,
    onfocusin: () => clearTimeout(timer),
    onfocusout: (e) => { if (!el.contains(e.relatedTarget) && !el.matches(':hover')) wait(); },
    onmouseenter: () => clearTimeout(timer),
    onmouseleave: () => { if (!el.contains(document.activeElement)) wait(); },
  },
  h('span', {}, text),
  action && h('button', { type: 'button', onclick: () => close(true) }, action),
  extra, // more controls, after the action; the Dismiss last, in the tab order as at the line's end (app.css)
  h('button', { type: 'button', class: 'icon', 'aria-label': 'Dismiss', onclick: () => close(false) }, '×'));
  const idle = [...box.children].filter((t) => !t.contains(document.activeElement) && !t.matches(':hover'))
    .sort((a, b) => (stakes.get(a) ?? 0) - (stakes.get(b) ?? 0)); // stable: the oldest first at each stake
  for (let n = box.children.length; n >= MAX_TOASTS && idle.length > 0; n--) closers.get(idle.shift())?.(false);
  closers.set(el, close);
  stakes.set(el, onTimeout ? 2 : action ? 1 : 0);
  box.append(el);
  wait();
  return { close: (acted = false) => close(acted) };
}

/** Returns fn delayed until calls stop for ms. */
export function debounce(fn, ms) {
  let t;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}
