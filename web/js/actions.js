// actions.js: the lifecycle actions a user may take on one order, as
// buttons and small forms. Which actions exist, who may take them, from
// which states and with which required fields is the server's workflow
// table (GET /api/v1/workflow); this file only knows how to ask for each
// field. Every action is sent with If-Match: the version the page showed,
// so a change by someone else in between is refused (412), not overwritten.

import { act, ApiError } from './api.js';
import { clear, h, notice, toast } from './dom.js';
import { busy, checkRequired, field, formError, showError, values } from './forms.js';
import { t, T } from './i18n.js';
import { unitPicker } from './unitpicker.js';
import { loadVocabulary, values as listed } from './vocabulary.js';

// The optional fields each action takes besides its required ones, and
// the label of its note.
const OPTIONAL = {
  dispatch: ['co_units', 'note'], reassign: ['co_units', 'note'], 'extend-approve': ['days', 'note'],
  remind: ['note'], sign: [], archive: [], merge: ['note'], survey: ['rating', 'resolved', 'note'],
};

function noteLabel(action) {
  const labels = {
    resolve: T('答复内容（直接办结）', 'Answer given on the call'),
    complete: T('办结答复（回复市民）', 'Reply to the citizen'),
    handle: T('办理进展', 'Progress note'),
    return: T('退单理由', 'Reason for returning'),
    'return-reject': T('驳回理由', 'Reason for rejecting the return'),
    'extend-request': T('延期理由', 'Reason for the extension'),
    'extend-refuse': T('驳回理由', 'Reason for refusing'),
    supervise: T('督办意见', 'Supervision note'),
    remind: T('催办说明', 'Reminder note'),
    reopen: T('重办理由', 'Reason for reopening'),
    invalidate: T('无效理由', 'Reason'),
    appeal: T('申诉理由', 'Grounds of the appeal'),
    'appeal-uphold': T('审核意见', 'Decision'),
    'appeal-reject': T('审核意见', 'Decision'),
  };
  return labels[action] || t('note');
}

// The workflow table (vocabulary.js: read once, cached).
export async function workflow() {
  return loadVocabulary();
}

// What the order awaits a decision on: the server's pending member, else
// (an older server) what its columns say.
function pendingKind(order) {
  if (order.pending !== undefined) return order.pending ? order.pending.kind : null;
  if (order.state === 'return_pending') return 'return';
  if (order.extension_pending_days > 0) return 'extension';
  return order.appeal && order.appeal.state === 'pending' ? 'appeal' : null;
}

// The state table allows an action from a state; some only make sense
// when a request waits (a decision) or none does (asking again): the
// server would refuse them, so they are not offered.
const NEEDS_PENDING = {
  'extend-approve': 'extension', 'extend-refuse': 'extension', 'return-reject': 'return',
  'appeal-uphold': 'appeal', 'appeal-reject': 'appeal',
};

function fitsPending(action, order) {
  const kind = pendingKind(order);
  if (NEEDS_PENDING[action]) return kind === NEEDS_PENDING[action];
  if (action === 'extend-request') return kind !== 'extension';
  if (action === 'appeal') return !(order.appeal && order.appeal.state);
  return true;
}

// The actions of the workflow this user may take on the order now.
export function available(flow, user, order, only) {
  if (!flow) return [];
  return flow.actions.filter((action) => action.roles.includes(user.role) && action.from_states.includes(order.state)
    && action.name !== 'register' && (!only || only.includes(action.name)) && fitsPending(action.name, order));
}

// What awaits a decision on the order and why, above the buttons that
// decide it.
export function pendingNote(order) {
  const pending = order.pending;
  if (!pending) return null;
  const asked = [pending.by, pending.at ? pending.at.slice(0, 16).replace('T', ' ') : null].filter(Boolean).join(' · ');
  return h('div.pending-note', { role: 'note', dataset: { pending: pending.kind } },
    h('strong', {}, pending.label),
    pending.days ? h('span.badge.soon', {}, T(`申请 ${pending.days} 个工作日`, `${pending.days} working days asked`)) : null,
    h('p', {}, T('理由：', 'Reason: '), pending.reason || '—'),
    asked ? h('p.muted', {}, asked) : null);
}

function fieldFor(name, action, dir, required, order) {
  switch (name) {
    case 'unit':
      return unitPicker({ name, label: T('承办单位', 'Lead unit'), dir, required,
        // The category's default unit first, as dispatchers usually take it.
        value: action === 'dispatch' ? (dir.categories.find((entry) => entry.code === order.category) || {}).default_unit || '' : '' });
    case 'co_units':
      return unitPicker({ name, label: t('co_units'), dir, multiple: true,
        hint: T('可选多个：逐个点选，再点一次取消', 'Several: click each; click again to take one back') });
    case 'days':
      return field({ name, label: T('工作日数', 'Working days'), kind: 'number', required,
        value: action === 'extend-approve' && order.extension_pending_days ? String(order.extension_pending_days) : '',
        attributes: { min: 1, max: 60, step: 1 } });
    case 'into':
      return field({ name, label: T('并入的原工单编号', 'Earlier order to merge into'), required,
        attributes: { inputmode: 'numeric', pattern: '[0-9]{14}', maxlength: 14 } });
    case 'note':
      return field({ name, label: noteLabel(action), kind: 'textarea', required });
    default:
      return field({ name, label: name, required });
  }
}

// The body of an action from its form: numbers as numbers (the unit
// pickers already hold their codes as one comma-separated string).
function bodyOf(form) {
  const body = values(form);
  if (body.days !== undefined) body.days = Number(body.days);
  return body;
}

// Sends one action; on success calls done(order, etag). A stale version
// says so and asks the page to read the order again.
async function send(form, order, etag, action, body, done, reread) {
  await busy(form, async () => {
    try {
      const answer = await act(order.number, action.name, body, etag);
      toast(T(`${action.label}成功`, `${action.label}: done`));
      await done(answer.data, answer.etag, action.name);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 412) {
        showError(form, { message: T('工单已被他人更新，已重新读取，请确认后再提交。',
          'Someone else changed this order; it has been read again: check and submit again.') });
        if (reread) await reread();
        return;
      }
      showError(form, error);
    }
  });
}

function surveyForm(order, etag, action, done, reread) {
  const form = h('form.action-form.survey-form', { dataset: { action: 'survey' }, novalidate: true });
  const chosen = { rating: null, resolved: null };
  const choice = (name, options) => {
    const group = h('div.choice', { role: 'group', 'aria-label': name });
    for (const option of options) {
      group.append(h('button', { type: 'button', 'aria-pressed': 'false', dataset: { value: option.name },
        onclick: (event) => {
          chosen[name] = option.name;
          for (const other of group.children) other.setAttribute('aria-pressed', String(other === event.currentTarget));
        } }, option.label));
    }
    return h('div.field', { dataset: { field: name } },
      h('label', {}, name === 'rating' ? T('满意度（五级）', 'Satisfaction (five levels)') : T('是否解决', 'Resolved?')),
      group, h('span.error', { role: 'alert' }));
  };
  const reached = h('div.reached', { hidden: true },
    choice('rating', listed('ratings')),
    choice('resolved', listed('resolved')),
    field({ name: 'note', label: T('回访意见', 'Comment'), kind: 'textarea' }),
    h('div.buttons', {}, h('button.primary', { type: 'submit', id: 'survey-submit' }, T('提交回访结果', 'Record the result'))));
  const outcomes = h('div.choice.outcomes', { role: 'group', 'aria-label': T('本次呼叫结果', 'This call') },
    listed('outcomes').map(({ name: outcome, label }) => h('button', { type: 'button', dataset: { outcome },
      class: outcome === 'reached' ? 'primary' : null,
      onclick: () => {
        if (outcome === 'reached') {
          reached.hidden = false;
          reached.querySelector('button').focus();
          return;
        }
        send(form, order, etag, action, { outcome }, done, reread);
      } }, label)));
  form.append(h('p.muted', {}, T(`已呼叫 ${order.survey.attempts} 次。每次呼叫记一次结果；接通后记录满意度。`,
    `Called ${order.survey.attempts} times so far. Record each call; when reached, the rating.`)),
  outcomes, reached, formError());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!chosen.rating) return showError(form, { field: 'rating', message: T('请选择满意度', 'Choose a rating') });
    if (!chosen.resolved) return showError(form, { field: 'resolved', message: T('请选择是否解决', 'Say whether it was resolved') });
    const body = { outcome: 'reached', rating: chosen.rating, resolved: chosen.resolved, ...values(reached) };
    return send(form, order, etag, action, body, done, reread);
  });
  return form;
}

// The panel of actions for one order. onDone(order, etag, actionName)
// after a success; reread() when the order must be read again.
export function actionPanel({ order, etag, user, flow, dir, only, onDone, reread }) {
  const panel = h('div.actions', { id: 'actions' });
  if (!flow) {
    panel.append(notice(t('not_available', { route: 'GET /api/v1/workflow' })));
    return panel;
  }
  const actions = available(flow, user, order, only);
  const note = pendingNote(order);
  if (note) panel.append(note);
  if (!actions.length) return panel;
  const holder = h('div.action-form-holder');
  const buttons = h('div.buttons', {}, actions.map((action) => h('button', {
    type: 'button', dataset: { action: action.name },
    class: ['sign', 'complete', 'dispatch', 'survey'].includes(action.name) ? 'primary' : null,
    onclick: () => open(action),
  }, action.label)));
  panel.append(buttons, holder);

  function open(action) {
    for (const button of buttons.children) button.setAttribute('aria-expanded', String(button.dataset.action === action.name));
    if (action.name === 'survey') {
      clear(holder, surveyForm(order, etag, action, onDone, reread));
      holder.querySelector('button').focus();
      return;
    }
    const names = [...action.fields, ...(OPTIONAL[action.name] || ['note']).filter((name) => !action.fields.includes(name))];
    const form = h('form.action-form.panel', { dataset: { action: action.name }, novalidate: true },
      h('h3', {}, action.label),
      names.map((name) => fieldFor(name, action.name, dir, action.fields.includes(name), order)),
      formError(),
      h('div.buttons', {},
        h('button.primary', { type: 'submit' }, T(`确认${action.label}`, `Confirm: ${action.label}`)),
        h('button', { type: 'button', onclick: () => clear(holder) }, t('cancel'))));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!checkRequired(form)) return;
      send(form, order, etag, action, bodyOf(form), onDone, reread);
    });
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    });
    clear(holder, form);
    const first = form.querySelector('input, select, textarea');
    if (first) first.focus();
    else form.querySelector('button[type=submit]').focus();
  }
  return panel;
}
