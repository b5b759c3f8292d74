// unitpicker.js: choosing one unit, or several co-handling units, from a
// directory of dozens or hundreds: a search box that matches the Chinese
// name, its pinyin initials (小店区政府: xdqzf) or the code, and the units
// grouped as the directory groups them (市直单位, 县市区…). Several units
// are chosen by clicking each (no Ctrl-click); the keyboard works too:
// arrows move, Enter chooses, Backspace in an empty box removes the last
// chosen unit. The value travels in a hidden input of the field's name
// (codes joined by commas when several), so forms read it as any control.

import { h } from './dom.js';
import { T } from './i18n.js';

// The first letter of each syllable, from the browser's pinyin collation:
// a character sorts between the first characters of two initials. The
// table is the usual one (no syllable starts with i, u or v).
const BOUNDS = [['a', '阿'], ['b', '八'], ['c', '嚓'], ['d', '哒'], ['e', '妸'], ['f', '发'], ['g', '旮'],
  ['h', '哈'], ['j', '讥'], ['k', '咔'], ['l', '垃'], ['m', '妈'], ['n', '拏'], ['o', '噢'], ['p', '妑'],
  ['q', '七'], ['r', '呥'], ['s', '仨'], ['t', '他'], ['w', '屲'], ['x', '夕'], ['y', '丫'], ['z', '帀']];
let collator = null;

export function initials(text) {
  collator = collator || new Intl.Collator('zh-Hans-CN-u-co-pinyin');
  return [...text].map((character) => {
    if (!/[\u3400-\u9fff]/.test(character)) return /[a-z0-9]/i.test(character) ? character.toLowerCase() : '';
    let letter = '';
    for (const [candidate, first] of BOUNDS) if (collator.compare(character, first) >= 0) letter = candidate;
    return letter;
  }).join('');
}

let counter = 0;

// A labelled unit field like forms.js's field(): {name, label, dir,
// multiple, required, value (a code, or codes joined by commas), hint}.
// Returns the wrapper; its .control is the hidden input holding the value.
export function unitPicker({ name, label, dir, multiple = false, required = false, value = '', hint }) {
  const id = `f-${name}-${++counter}`;
  const units = dir.units.filter((unit) => unit.active !== false)
    .map((unit) => ({ ...unit, keys: `${unit.name} ${initials(unit.name)} ${unit.code}`.toLowerCase() }));
  const byCode = new Map(units.map((unit) => [unit.code, unit]));
  const hidden = h('input', { type: 'hidden', name, value, required });
  const search = h('input', { id, type: 'search', autocomplete: 'off', role: 'combobox', 'aria-expanded': 'false',
    'aria-controls': `${id}-list`, 'aria-describedby': `${id}-error`,
    placeholder: T('输入名称、拼音首字母或编码', 'Type a name, pinyin initials or a code') });
  const chosenBox = h('div.unit-chosen');
  const list = h('ul.unit-list', { id: `${id}-list`, role: 'listbox', hidden: true, 'aria-multiselectable': multiple ? 'true' : null });
  let active = -1;
  let shown = [];

  const chosen = () => hidden.value.split(',').filter((code) => byCode.has(code));

  function set(codes) {
    hidden.value = codes.join(',');
    chosenBox.replaceChildren(...codes.map((code) => h('span.chip', { dataset: { unit: code } }, byCode.get(code).name,
      h('button.chip-remove', { type: 'button', 'aria-label': T(`移除 ${byCode.get(code).name}`, `Remove ${byCode.get(code).name}`),
        onclick: () => set(chosen().filter((other) => other !== code)) }, '×'))));
    wrapper.dispatchEvent(new Event('change', { bubbles: true }));
  }

  function choose(unit) {
    if (multiple) {
      const codes = chosen();
      set(codes.includes(unit.code) ? codes.filter((code) => code !== unit.code) : [...codes, unit.code]);
      search.value = '';
      render();
      search.focus();
    } else {
      set([unit.code]);
      search.value = '';
      close();
    }
  }

  function render() {
    const words = search.value.trim().toLowerCase();
    const selected = new Set(chosen());
    shown = units.filter((unit) => !words || unit.keys.includes(words));
    active = shown.length ? Math.min(Math.max(active, 0), shown.length - 1) : -1;
    const groups = new Map();
    for (const unit of shown) {
      if (!groups.has(unit.group)) groups.set(unit.group, []);
      groups.get(unit.group).push(unit);
    }
    list.replaceChildren(...(shown.length ? [...groups].flatMap(([group, members]) => [
      h('li.unit-group', { role: 'presentation' }, group || T('未分组', 'No group')),
      ...members.map((unit) => {
        const index = shown.indexOf(unit);
        return h(`li.unit-option${index === active ? '.active' : ''}`, {
          role: 'option', id: `${id}-option-${index}`, dataset: { unit: unit.code }, 'aria-selected': selected.has(unit.code) ? 'true' : 'false',
          onmousedown: (event) => { event.preventDefault(); choose(unit); } }, unit.name, h('span.muted', {}, ` ${unit.code}`));
      })]) : [h('li.muted', { role: 'presentation' }, T('没有匹配的单位', 'No unit matches'))]));
    list.hidden = false;
    search.setAttribute('aria-expanded', 'true');
    if (active >= 0) search.setAttribute('aria-activedescendant', `${id}-option-${active}`);
    list.querySelector('.active')?.scrollIntoView({ block: 'nearest' });
  }

  function close() {
    list.hidden = true;
    search.setAttribute('aria-expanded', 'false');
    search.removeAttribute('aria-activedescendant');
  }

  search.addEventListener('input', () => { active = 0; render(); });
  search.addEventListener('focus', render);
  search.addEventListener('blur', close);
  search.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (list.hidden) render();
      active = Math.max(0, Math.min(shown.length - 1, active + (event.key === 'ArrowDown' ? 1 : -1)));
      render();
    } else if (event.key === 'Enter') {
      // Enter chooses the highlighted unit instead of sending the form.
      if (!list.hidden && active >= 0 && shown[active]) {
        event.preventDefault();
        choose(shown[active]);
      }
    } else if (event.key === 'Escape') {
      close();
    } else if (event.key === 'Backspace' && search.value === '' && chosen().length) {
      set(chosen().slice(0, -1));
    }
  });

  const wrapper = h('div.field.unit-picker', { dataset: { field: name } },
    h('label', { for: id }, label, required ? h('span.muted', { 'aria-hidden': 'true' }, ' *') : null),
    chosenBox, search, hidden, list,
    hint ? h('span.hint', {}, hint) : null,
    h('span.error', { id: `${id}-error`, role: 'alert' }));
  wrapper.control = hidden;
  set(chosen());
  // A form's reset puts the hidden value back: show it again.
  queueMicrotask(() => wrapper.closest('form')?.addEventListener('reset', () => setTimeout(() => set(chosen()))));
  return wrapper;
}
