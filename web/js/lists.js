// lists.js: what several pages share: the directory (units and
// categories), read once per page load, and the order list, paged and
// filtered on the server (GET /api/v1/orders).

import { ApiError, cached, get } from './api.js';
import { cardTable, clear, dueBadge, errorText, formatTime, h, loading, notice, orderLink, stateBadge } from './dom.js';
import { field } from './forms.js';
import { t, T } from './i18n.js';
import { label } from './vocabulary.js';

// {units, categories, unitName(code), categoryName(code),
// missing: [routes the server lacks]}
export async function directory() {
  const [units, categories] = await Promise.all([cached('/units'), cached('/categories')]);
  const unitList = units ? units.units : [];
  const categoryList = categories ? categories.categories : [];
  const unitNames = new Map(unitList.map((unit) => [unit.code, unit.name]));
  const categoryNames = new Map(categoryList.map((category) => [category.code, category.name]));
  const missing = [];
  if (!units) missing.push('GET /api/v1/units');
  if (!categories) missing.push('GET /api/v1/categories');
  return {
    units: unitList,
    categories: categoryList,
    unitName: (code) => (code ? unitNames.get(code) || code : '—'),
    categoryName: (code) => (code ? categoryNames.get(code) || code : '—'),
    missing,
  };
}

// The standard columns of an order table.
export function columns(dir, names) {
  const all = {
    number: [t('number'), (order) => orderLink(order.number)],
    received_at: [t('received_at'), (order) => formatTime(order.received_at)],
    title: [t('title'), (order) => order.title],
    type: [t('type'), (order) => label('types', order.type)],
    category: [t('category'), (order) => dir.categoryName(order.category)],
    state: [t('state'), (order) => stateBadge(order)],
    lead_unit: [t('lead_unit'), (order) => dir.unitName(order.lead_unit)],
    due: [t('time_left'), (order) => dueBadge(order)],
    completed_at: [T('办结时间', 'Completed'), (order) => formatTime(order.completed_at)],
    phone: [t('citizen_phone'), (order) => order.citizen_phone || '—'],
    // An approval queue's row: what was asked, for how long, by whom and
    // why (the order's pending member, from the request in its log).
    pending_days: [T('申请延期', 'Days asked'), (order) => (order.pending && order.pending.days
      ? h('span.badge.soon', {}, T(`申请 ${order.pending.days} 个工作日`, `${order.pending.days} working days asked`)) : '—')],
    pending_reason: [T('理由', 'Reason'), (order) => (order.pending
      ? h('span.reason', { title: order.pending.reason }, order.pending.reason || '—') : '—')],
    pending_at: [T('申请时间', 'Asked'), (order) => (order.pending
      ? h('span', { title: order.pending.by || '' }, formatTime(order.pending.at)) : '—')],
  };
  return names.map((name) => ({ name, label: all[name][0], cell: all[name][1] }));
}

// A paged order table. query: the fixed filters; filterFields: extra
// filter controls ([{name, label, kind, options}]) shown above the table;
// onSelect(order, row): a row was chosen (else rows link to the order);
// queue: an approval queue, whose request columns a phone keeps first.
// Returns {element, reload()}.
export function orderList({ id, query = {}, filterFields = [], cols, onSelect, pageSize = 20, empty, queue }) {
  const state = { page: 1, filters: {} };
  const body = h('div');
  const form = h('form.filters.no-print', { role: 'search' });
  for (const spec of filterFields) form.append(field(spec));
  if (filterFields.length) {
    form.append(h('div.buttons', {}, h('button', { type: 'submit' }, t('search')),
      h('button', { type: 'reset' }, t('reset'))));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      state.page = 1;
      load();
    });
    form.addEventListener('reset', () => setTimeout(() => { state.page = 1; load(); }));
  }
  const element = h(`div.order-list${queue ? '.queue' : ''}`, { id }, filterFields.length ? form : null, body);

  function currentFilters() {
    const result = {};
    for (const control of form.querySelectorAll('[name]')) {
      if (control.value.trim() !== '') result[control.name] = control.value.trim();
    }
    return result;
  }

  async function load() {
    clear(body, loading());
    let answer;
    try {
      answer = (await get('/orders', { ...query, ...currentFilters(), page: state.page, page_size: pageSize })).data;
    } catch (error) {
      if (error instanceof ApiError && error.missingRoute) {
        clear(body, notice(t('not_available', { route: 'GET /api/v1/orders' })));
        return;
      }
      clear(body, h('p.form-error', { role: 'alert' }, errorText(error)));
      return;
    }
    const pages = Math.max(1, Math.ceil(answer.total / answer.page_size));
    if (!answer.orders.length) {
      clear(body, h('p.muted.empty', {}, empty || t('no_orders')));
      return;
    }
    const rows = answer.orders.map((order) => {
      const row = h('tr', { dataset: { number: order.number } },
        cols.map((column) => h(`td.col-${column.name}`, {}, column.cell(order))));
      if (onSelect) {
        row.classList.add('clickable');
        row.tabIndex = 0;
        const choose = (event) => {
          if (event.target.closest('a, button')) return;
          for (const other of body.querySelectorAll('tr.selected')) other.classList.remove('selected');
          row.classList.add('selected');
          onSelect(order, row);
        };
        row.addEventListener('click', choose);
        row.addEventListener('keydown', (event) => { if (event.key === 'Enter') choose(event); });
      }
      return row;
    });
    clear(body,
      // An approval queue has its own phone layout (app.css); any other
      // list becomes cards there.
      h('div.table-wrap', {}, (queue ? (table) => table : cardTable)(h('table', {},
        h('thead', {}, h('tr', {}, cols.map((column) => h(`th.col-${column.name}`, { scope: 'col' }, column.label)))),
        h('tbody', {}, rows)))),
      h('div.pager', {},
        h('button.small', { type: 'button', disabled: state.page <= 1, onclick: () => { state.page--; load(); } }, t('previous_page')),
        h('span.muted', {}, t('page_of', { page: answer.page, pages, total: answer.total })),
        h('button.small', { type: 'button', disabled: state.page >= pages, onclick: () => { state.page++; load(); } }, t('next_page'))));
  }

  return { element, reload: load };
}

export function unitOptions(dir, { blank } = {}) {
  const options = dir.units.filter((unit) => unit.active !== false).map((unit) => [unit.code, `${unit.name}（${unit.code}）`]);
  return blank !== undefined ? [['', blank], ...options] : options;
}

export function stateOptions(states, blank) {
  return [['', blank], ...states.map((state) => [state.name, state.label])];
}
