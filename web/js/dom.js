// dom.js: building elements and formatting what they show. Every text
// from the server goes in as a text node (never as HTML), so nothing a
// citizen typed can run in the page.

import { t, T } from './i18n.js';

// h('tag.class#id', {attributes, onclick: fn}, ...children)
export function h(spec, attributes = {}, ...children) {
  const [, tag, rest] = spec.match(/^([a-z0-9]+)(.*)$/i);
  const element = document.createElement(tag);
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === '.') element.classList.add(part.slice(1));
    else element.id = part.slice(1);
  }
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name === 'value') element.value = value;
    else if (name === 'checked') element.checked = Boolean(value);
    else element.setAttribute(name, value === true ? '' : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// Appends children, leaving out null, undefined and false (which the DOM's
// own append would write as text).
export function add(element, ...children) {
  append(element, children);
  return element;
}

export function clear(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

// "2024-02-01T07:30:26+08:00" -> "2024-02-01 07:30" (the server's zone, as sent).
export function formatTime(iso) {
  if (!iso) return '—';
  return iso.slice(0, 16).replace('T', ' ');
}

export function toast(message) {
  const box = document.getElementById('toast');
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 4000);
}

export function notice(text) {
  return h('div.notice', { role: 'note' }, text);
}

export function loading() {
  return h('p.muted', {}, t('loading'));
}

// ---- Deadlines ----

// A badge for the time left on an order's running deadline, as the server
// counts it with its working-day calendar: working_days_left (0: it ends
// today; negative: the working days since it passed), overdue and due_soon.
export function dueBadge(order) {
  if (!order.due_at) return h('span.muted', {}, '—');
  const left = order.working_days_left;
  if (order.overdue) {
    return h('span.badge.overdue', { title: order.due_at }, left < 0 ? t(left === -1 ? 'overdue_by_one' : 'overdue_by', { days: -left }) : t('overdue'));
  }
  if (left === 0) return h('span.badge.soon', { title: order.due_at }, t('due_today'));
  return h(order.due_soon ? 'span.badge.soon' : 'span.badge.ok', { title: order.due_at }, t(left === 1 ? 'one_working_day_left' : 'working_days_left', { days: left }));
}

export function stateBadge(order) {
  return h('span.badge', { dataset: { state: order.state } }, order.state_label || order.state);
}

export function orderLink(number) {
  return h('a', { href: `#/orders/${number}` }, number);
}

export function errorText(error) {
  return error && error.message ? error.message : T('出错了', 'Something went wrong');
}

// Marks a table to become a stack of cards on a phone's width (app.css):
// each cell gets its column's heading as data-label. Call it once the
// table has its head and body.
export function cardTable(table) {
  const headings = [...table.querySelectorAll('thead th')].map((th) => th.textContent);
  for (const row of table.querySelectorAll('tbody tr')) {
    [...row.children].forEach((cell, index) => { cell.dataset.label = headings[index] || ''; });
  }
  table.classList.add('card-table');
  return table;
}
