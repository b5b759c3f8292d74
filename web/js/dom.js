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

// ---- Working days ----

// The calendar's exceptions to Monday-Friday, by date: {date: 'holiday'|'workday'}.
export function calendarIndex(years) {
  const index = {};
  for (const year of years) for (const day of (year && year.days) || []) index[day.date] = day.kind;
  return index;
}

function isWorkingDay(date, exceptions) {
  const key = date.toISOString().slice(0, 10);
  if (exceptions[key] === 'holiday') return false;
  if (exceptions[key] === 'workday') return true;
  const weekday = date.getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

// Today's date for the server (its X-Server-Time, in its zone, which may
// be set apart from the real date), else the machine's date at +08:00.
export function todayIn(offsetMinutes = 480) {
  if (window.hotlineServerTime) return window.hotlineServerTime.slice(0, 10);
  return new Date(Date.now() + offsetMinutes * 60000).toISOString().slice(0, 10);
}

// Working days from today to the deadline's date: 0 when it ends today,
// negative when it has passed (counting the working days since).
export function workingDaysLeft(dueIso, exceptions, today = todayIn()) {
  const due = dueIso.slice(0, 10);
  const step = due >= today ? 1 : -1;
  let cursor = new Date(`${today}T00:00:00Z`);
  const end = new Date(`${due}T00:00:00Z`);
  let count = 0;
  for (let guard = 0; guard < 4000 && cursor.getTime() !== end.getTime(); guard++) {
    cursor = new Date(cursor.getTime() + step * 86400000);
    if (isWorkingDay(cursor, exceptions)) count += step;
  }
  return count;
}

// A badge for the time left on an open order's deadline.
export function dueBadge(order, exceptions) {
  if (!order.due_at) return h('span.muted', {}, '—');
  const left = workingDaysLeft(order.due_at, exceptions);
  if (order.overdue || left < 0) {
    return h('span.badge.overdue', { title: order.due_at }, left < 0 ? t(left === -1 ? 'overdue_by_one' : 'overdue_by', { days: -left }) : t('overdue'));
  }
  if (left === 0) return h('span.badge.soon', { title: order.due_at }, t('due_today'));
  return h(left <= 1 ? 'span.badge.soon' : 'span.badge.ok', { title: order.due_at }, t(left === 1 ? 'one_working_day_left' : 'working_days_left', { days: left }));
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
