// intake.js: the agent desk (受理). A new-order form meant to be filled
// while the caller is on the line: fields in the order of the call,
// everything reachable from the keyboard, the category picked by typing,
// and a draft kept in sessionStorage so that nothing typed is lost (a
// refused submission, a language switch or a reload keeps it). The order
// is registered (POST /api/v1/orders) and then either left for dispatch or
// resolved at once with the answer given on the call. As soon as the phone
// field holds a whole number the caller's history shows beside the form
// (caller.js); afterwards the caller's earlier orders are listed, to merge
// a repeat request.

import { act, ApiError, post } from '../api.js';
import { add, clear, h, notice, orderLink, toast } from '../dom.js';
import { busy, checkRequired, clearErrors, field, formError, showError, values } from '../forms.js';
import { t, T } from '../i18n.js';
import { directory } from '../lists.js';
import { earlierOrders } from '../widgets.js';
import { callerHistory } from '../caller.js';
import { workflow } from '../actions.js';
import { options } from '../vocabulary.js';

const DRAFT_KEY = 'hotline.intake-draft';
const PIN_KEY = 'hotline.intake-pins';

function categoryLabel(category, byCode) {
  const parent = category.parent ? byCode.get(category.parent) : null;
  return parent ? `${parent.name} / ${category.name}` : category.name;
}

export async function render(view, context) {
  const dir = await directory();
  const flow = await workflow();
  let draft = JSON.parse(sessionStorage.getItem(DRAFT_KEY) || '{}');
  // What the agent chose to keep from one call to the next (a pin beside
  // the channel, the type and the category): nothing else is carried over.
  const pins = JSON.parse(sessionStorage.getItem(PIN_KEY) || '{}');
  const byCode = new Map(dir.categories.map((category) => [category.code, category]));
  const categories = dir.categories.filter((category) => category.active !== false)
    .map((category) => ({ code: category.code, label: categoryLabel(category, byCode), search: `${category.code} ${categoryLabel(category, byCode)}`.toLowerCase() }))
    .sort((a, b) => a.label.localeCompare(b.label, 'zh-CN'));

  const channel = field({ name: 'channel', label: t('channel'), kind: 'select', value: draft.channel || pins.channel || 'phone',
    options: options('channels') });
  const phone = field({ name: 'citizen_phone', label: t('citizen_phone'), value: draft.citizen_phone || '',
    attributes: { inputmode: 'tel', autocomplete: 'off', maxlength: 20 } });
  const name = field({ name: 'citizen_name', label: t('citizen_name'), value: draft.citizen_name || '', attributes: { autocomplete: 'off' } });
  const address = field({ name: 'address', label: t('address'), value: draft.address || '', attributes: { autocomplete: 'off' } });
  const search = field({ name: 'category_search', label: T('分类（输入以筛选）', 'Category (type to filter)'),
    kind: 'search', value: draft.category_search || '', attributes: { autocomplete: 'off', 'aria-controls': 'category-list' } });
  const category = field({ name: 'category', label: t('category'), kind: 'select', value: '',
    options: [['', T('（不选分类）', '(no category)')]], attributes: { size: 4, id: 'category-list' } });
  const type = field({ name: 'type', label: t('type'), kind: 'select', required: true, value: draft.type || pins.type || '',
    options: [['', T('请选择类型', 'Choose a type')], ...options('types')] });
  const title = field({ name: 'title', label: t('title'), required: true, value: draft.title || '',
    attributes: { maxlength: 100, autocomplete: 'off' }, hint: T('一句话概括，最多 100 字', 'One line, at most 100 characters') });
  const content = field({ name: 'content', label: t('content'), kind: 'textarea', required: true, value: draft.content || '' });
  const answer = field({ name: 'note', label: T('直接办结时的答复', 'Answer, when resolved at intake'), kind: 'textarea',
    value: draft.note || '', hint: T('仅在“直接办结”时必填', 'Required only to resolve at intake') });
  // Consent to publication: asked of the caller, never implied by the
  // channel. Unticked by default; sent as a boolean (values() reads text).
  const consent = h('input', { type: 'checkbox', id: 'intake-consent', checked: draft.publish_consent === true });
  const consentField = h('div.field.consent', { dataset: { field: 'publish_consent' } },
    h('label', { for: 'intake-consent' }, consent,
      T(' 来电人同意公开本诉求（经 Open311 公开内容与地址，不含姓名和电话）',
        ' The caller agrees that the request is published (content and address through Open311, never name or phone)')),
    h('span.error', { role: 'alert' }));
  // A pin: a checkbox after the field; ticked, the field's value at the
  // next reset is kept.
  const pinOf = (wrapper, fieldName) => {
    const box = h('input', { type: 'checkbox', checked: fieldName in pins, dataset: { pin: fieldName }, tabindex: -1 });
    box.addEventListener('change', () => {
      if (box.checked) pins[fieldName] = wrapper.control.value;
      else delete pins[fieldName];
      sessionStorage.setItem(PIN_KEY, JSON.stringify(pins));
    });
    wrapper.classList.add('pinned');
    wrapper.append(h('label.pin', { title: T('勾选后，下一件工单沿用此项', 'Ticked, the next order keeps this') }, box, T('下一件沿用', 'keep for next')));
    return wrapper;
  };
  pinOf(channel, 'channel');
  pinOf(type, 'type');
  pinOf(category, 'category');
  const caller = callerHistory(dir);
  phone.control.addEventListener('input', () => caller.lookup(phone.control.value));
  search.control.removeAttribute('name'); // a filter, not a field of the order
  search.control.dataset.name = 'category_search';

  function fillCategories() {
    const needle = search.control.value.trim().toLowerCase();
    const keep = category.control.value || draft.category || pins.category || '';
    const shown = categories.filter((entry) => !needle || entry.search.includes(needle));
    clear(category.control, h('option', { value: '' }, T('（不选分类）', '(no category)')),
      shown.map((entry) => h('option', { value: entry.code }, entry.label)));
    category.control.value = shown.some((entry) => entry.code === keep) ? keep : (needle && shown.length === 1 ? shown[0].code : '');
  }
  fillCategories();
  search.control.addEventListener('input', fillCategories);
  search.control.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      category.control.focus();
      if (category.control.selectedIndex < 1 && category.control.options.length > 1) category.control.selectedIndex = 1;
    }
  });

  const dispatchButton = h('button.primary', { type: 'submit', id: 'register-dispatch', dataset: { then: 'dispatch' } },
    T('登记并转派单', 'Register for dispatch'), h('span.keys', {}, ' Ctrl+Enter'));
  const resolveButton = h('button', { type: 'submit', id: 'register-resolve', dataset: { then: 'resolve' } },
    T('登记并直接办结', 'Register and resolve'), h('span.keys', {}, ' Ctrl+Shift+Enter'));
  const form = h('form#intake-form.panel', { novalidate: true },
    h('h2', {}, T('新建工单', 'New order')),
    h('div.row#intake-caller-row', {}, channel, phone, name),
    address,
    h('div.row', {}, type, search),
    category,
    title, content, consentField, answer,
    formError(),
    h('div.buttons', {}, dispatchButton, resolveButton,
      h('button', { type: 'button', id: 'intake-clear', onclick: () => reset() }, T('清空', 'Clear'), h('span.keys', {}, ' Alt+N'))));
  const result = h('section.panel#intake-result', { hidden: true });

  function saveDraft() {
    const current = values(form);
    current.category_search = search.control.value;
    current.publish_consent = consent.checked;
    sessionStorage.setItem(DRAFT_KEY, JSON.stringify(current));
  }
  form.addEventListener('input', saveDraft);
  form.addEventListener('change', saveDraft);

  function reset() {
    sessionStorage.removeItem(DRAFT_KEY);
    draft = {};
    for (const [fieldName, wrapper] of [['channel', channel], ['type', type], ['category', category]]) {
      if (fieldName in pins) pins[fieldName] = wrapper.control.value;
    }
    sessionStorage.setItem(PIN_KEY, JSON.stringify(pins));
    for (const control of form.querySelectorAll('input:not([type=checkbox]), textarea')) control.value = '';
    type.control.value = pins.type || '';
    channel.control.value = pins.channel || 'phone';
    category.control.value = pins.category || '';
    consent.checked = false;
    fillCategories();
    clearErrors(form);
    caller.lookup('');
    phone.control.focus();
  }

  // Enter in a one-line field goes to the next field (a caller dictates
  // field by field); Ctrl+Enter registers for dispatch, Ctrl+Shift+Enter
  // registers and resolves.
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit(event.shiftKey ? resolveButton : dispatchButton);
      return;
    }
    if (event.key === 'Enter' && event.target.matches('input') && !event.target.matches('[type=search]')) {
      event.preventDefault();
      // The pins are the mouse's: the keyboard's way skips them.
      const controls = [...form.querySelectorAll('input, select, textarea')].filter((control) => !control.disabled && control.tabIndex >= 0);
      const next = controls[controls.indexOf(event.target) + 1];
      if (next) next.focus();
    }
    if (event.key === 'Enter' && event.target === search.control) {
      event.preventDefault();
      category.control.focus();
    }
  });
  const shortcuts = (event) => {
    if (!document.body.contains(form)) {
      document.removeEventListener('keydown', shortcuts);
      return;
    }
    if (event.altKey && !event.ctrlKey && (event.key === 'n' || event.key === 'N')) {
      event.preventDefault();
      reset();
    } else if (event.altKey && !event.ctrlKey && (event.key === 'c' || event.key === 'C')) {
      event.preventDefault();
      search.control.focus();
    }
  };
  document.addEventListener('keydown', shortcuts);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const then = event.submitter && event.submitter.dataset.then === 'resolve' ? 'resolve' : 'dispatch';
    if (!checkRequired(form)) return;
    const body = values(form);
    body.publish_consent = consent.checked;
    const note = body.note;
    delete body.note;
    if (then === 'resolve' && !note) {
      showError(form, { field: 'note', message: T('直接办结须填写答复', 'Write the answer given to resolve at intake') });
      return;
    }
    await busy(form, async () => {
      let registered;
      try {
        registered = await post('/orders', body);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        showError(form, error);
        return;
      }
      const order = registered.data;
      let resolvedError = null;
      if (then === 'resolve') {
        try {
          await act(order.number, 'resolve', { note }, registered.etag);
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          resolvedError = error;
        }
      }
      reset();
      toast(T(`已登记工单 ${order.number}`, `Order ${order.number} registered`));
      await showResult(order, then, resolvedError);
    });
  });

  async function showResult(order, then, resolvedError) {
    result.hidden = false;
    clear(result,
      h('h2', {}, T('已登记', 'Registered')),
      h('p', { id: 'registered-number' }, T('工单编号：', 'Order number: '), orderLink(order.number), ' · ',
        resolvedError ? h('span.form-error', {}, T(`直接办结未成功：${resolvedError.message}`, `Not resolved: ${resolvedError.message}`))
          : then === 'resolve' ? T('已直接办结', 'resolved at intake') : T('待派单', 'waiting for dispatch')),
      h('h3', {}, T('此号码的历史工单', 'Earlier orders from this number')),
      await earlierOrders(order.number, dir, {
        onMerge: then === 'dispatch' && flow && flow.actions.some((action) => action.name === 'merge' && action.roles.includes(context.user.role))
          ? async (earlier) => {
            try {
              const current = await import('../api.js').then((api) => api.get(`/orders/${order.number}`));
              await act(order.number, 'merge', { into: earlier.number }, current.etag);
              toast(T(`已并入工单 ${earlier.number}`, `Merged into ${earlier.number}`));
              result.querySelector('#registered-number').append(' · ', T(`已并入 ${earlier.number}`, `merged into ${earlier.number}`));
            } catch (error) {
              if (!(error instanceof ApiError)) throw error;
              result.append(h('p.form-error', { role: 'alert' }, error.message));
            }
          } : null,
      }));
  }

  // The caller's history goes at the top of the right column; on a narrow
  // screen, where that column falls below the whole form, right under the
  // phone field instead, where the agent is looking.
  const narrow = window.matchMedia('(max-width: 760px)');
  const placeCaller = () => {
    if (!document.body.contains(form)) { // the page was left
      narrow.removeEventListener('change', placeCaller);
      return;
    }
    if (narrow.matches) form.querySelector('#intake-caller-row').after(caller.element);
    else result.before(caller.element);
  };
  narrow.addEventListener('change', placeCaller);

  add(view, 
    h('h1', {}, t('intake')),
    dir.missing.length ? notice(t('not_available', { route: dir.missing.join(', ') })) : null,
    h('div.grid-2', {},
      form,
      h('div', {},
        caller.element,
        result,
        h('section.panel.keys-help', {},
          h('h2', {}, T('键盘操作', 'Keyboard')),
          h('ul', {},
            h('li', {}, h('kbd', {}, 'Tab'), ' / ', h('kbd', {}, 'Shift+Tab'), T(' 在各栏之间移动', ' move between fields')),
            h('li', {}, h('kbd', {}, 'Enter'), T(' 在单行栏中跳到下一栏', ' in a one-line field: next field')),
            h('li', {}, h('kbd', {}, 'Alt+C'), T(' 跳到分类搜索；', ' to the category search; '), h('kbd', {}, '↓'), T(' 进入分类列表', ' into the list')),
            h('li', {}, h('kbd', {}, 'Ctrl+Enter'), T(' 登记并转派单', ' register for dispatch')),
            h('li', {}, h('kbd', {}, 'Ctrl+Shift+Enter'), T(' 登记并直接办结（须填答复）', ' register and resolve (needs the answer)')),
            h('li', {}, h('kbd', {}, 'Alt+N'), T(' 清空，开始新工单', ' clear for a new order')))))));
  if (narrow.matches) form.querySelector('#intake-caller-row').after(caller.element);
  caller.lookup(phone.control.value, true);
  phone.control.focus();
}
