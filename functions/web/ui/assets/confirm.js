// A button whose action cannot be taken back asks for a second press: the first press
// changes its text (and its name) to say so, and the focus leaving the button, or the
// time running out when there is a limit, takes that first press back.

const armed = new WeakMap(); // button → how to take its first press back

/**
 * Reports whether the click e on its button is the confirming second press. The first
 * press arms the button: its text becomes text (and its aria-label label, if given), and
 * onArm() runs, to say what the second press will do; onCancel() runs when the focus
 * leaves the button or timeout ms pass first, and the button is as it was again. The
 * second press puts the button back as it was too, and returns true. The second click of
 * a double click is neither: it returns false and changes nothing.
 */
export function confirmed(e, { text, label, timeout = 0, onArm, onCancel }) {
  const button = e.currentTarget;
  if (e.detail > 1) return false;
  if (armed.has(button)) {
    disarm(button);
    return true;
  }
  const before = { text: button.textContent, label: button.getAttribute('aria-label') };
  const cancel = () => {
    if (!disarm(button)) return;
    onCancel?.();
  };
  const timer = timeout > 0 ? setTimeout(cancel, timeout) : 0;
  button.addEventListener('blur', cancel);
  armed.set(button, () => {
    clearTimeout(timer);
    button.removeEventListener('blur', cancel);
    button.textContent = before.text;
    if (before.label === null) button.removeAttribute('aria-label');
    else button.setAttribute('aria-label', before.label);
  });
  button.textContent = text;
  if (label) button.setAttribute('aria-label', label);
  onArm?.();
  return false;
}

/** Takes back the first press of button, if it had one; reports whether it had. */
export function disarm(button) {
  const restore = armed.get(button);
  if (!restore) return false;
  armed.delete(button);
  restore();
  return true;
}
