// forms.js: form fields with a place for the server's message beside each
// one. A refused submission shows {"error":{"field","message"}} next to
// the field it names (or above the buttons when it names none) and leaves
// everything the user typed in place.

import { h } from './dom.js';
import { T } from './i18n.js';

let counter = 0;

// A labelled field. kind: 'text' (default), 'textarea', 'select',
// 'number', 'password', 'date', 'month', 'search'. options for a select:
// [[value, label], ...]. Returns the wrapper; its control is .control.
export function field({ name, label, kind = 'text', options = [], value = '', required = false, hint, attributes = {} }) {
  const id = `f-${name}-${++counter}`;
  const errorId = `${id}-error`;
  const common = { id, name, required, 'aria-describedby': errorId, ...attributes };
  let control;
  if (kind === 'textarea') {
    control = h('textarea', common);
    control.value = value;
  } else if (kind === 'select') {
    control = h('select', common, options.map(([optionValue, optionLabel]) => h('option', { value: optionValue }, optionLabel)));
    control.value = value;
  } else {
    control = h('input', { type: kind, value, ...common });
  }
  const wrapper = h('div.field', { dataset: { field: name } },
    h('label', { for: id }, label, required ? h('span.muted', { 'aria-hidden': 'true' }, ' *') : null),
    control,
    hint ? h('span.hint', {}, hint) : null,
    h('span.error', { id: errorId, role: 'alert' }));
  wrapper.control = control;
  return wrapper;
}

export function formError() {
  return h('p.form-error', { role: 'alert' });
}

export function clearErrors(form) {
  for (const wrapper of form.querySelectorAll('.field.invalid')) {
    wrapper.classList.remove('invalid');
    wrapper.querySelector('.error').textContent = '';
    wrapper.control?.removeAttribute('aria-invalid');
  }
  for (const box of form.querySelectorAll('.form-error')) box.textContent = '';
}

// Shows an error from the server (or a local check) next to its field;
// the field names of the API are the form's control names. aliases maps
// an API field to a control name when they differ.
export function showError(form, error, aliases = {}) {
  clearErrors(form);
  const name = error.field ? aliases[error.field] || error.field : null;
  const wrapper = name ? form.querySelector(`.field[data-field="${CSS.escape(name)}"]`) : null;
  if (wrapper) {
    markInvalid(wrapper, error.message)?.focus();
    return;
  }
  const box = form.querySelector('.form-error');
  if (box) box.textContent = error.message;
}

// Shows message beside the field and clears it as soon as the field is
// changed, so that a message never stays beside a field already put
// right. Returns the field's control, to focus.
function markInvalid(wrapper, message) {
  wrapper.classList.add('invalid');
  wrapper.querySelector('.error').textContent = message;
  const control = wrapper.querySelector('input, select, textarea, button');
  control?.setAttribute('aria-invalid', 'true');
  const settle = () => {
    wrapper.classList.remove('invalid');
    wrapper.querySelector('.error').textContent = '';
    control?.removeAttribute('aria-invalid');
  };
  wrapper.addEventListener('input', settle, { once: true });
  wrapper.addEventListener('change', settle, { once: true });
  return control;
}

// Checks the required controls before sending; false when one is empty,
// with the message beside every empty one (not only the first), the first
// focused.
export function checkRequired(form) {
  const empty = [...form.querySelectorAll('[required]')]
    .filter((control) => !control.disabled && control.value.trim() === '');
  if (!empty.length) return true;
  clearErrors(form);
  const controls = empty.map((control) => {
    const wrapper = control.closest('.field');
    return wrapper ? markInvalid(wrapper, T('此项必填', 'This field is required')) : null;
  });
  controls.find(Boolean)?.focus();
  return false;
}

// The form's named controls as an object of trimmed strings; empty ones left out.
export function values(form) {
  const result = {};
  for (const control of form.querySelectorAll('[name]')) {
    if (control.disabled || !('value' in control)) continue;
    const value = control.value.trim();
    if (value !== '') result[control.name] = value;
  }
  return result;
}

// Disables the form's buttons while a request runs, so a double click
// cannot send twice.
export async function busy(form, work) {
  const buttons = [...form.querySelectorAll('button')];
  const before = buttons.map((button) => button.disabled);
  buttons.forEach((button) => { button.disabled = true; });
  try {
    return await work();
  } finally {
    buttons.forEach((button, index) => { button.disabled = before[index]; });
  }
}
