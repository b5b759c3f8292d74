// home.js: what each role has to do now: the counts that concern it
// (GET /api/v1/orders/counts, scoped by the server to what the user may
// see), each a link to the desk where it is done.

import { ApiError, get } from '../api.js';
import { add, h, notice } from '../dom.js';
import { t, T } from '../i18n.js';
import { label } from '../vocabulary.js';

function card(href, count, label, tone) {
  return h(`a.card${tone ? `.${tone}` : ''}`, { href, dataset: { count: String(count) } },
    h('div.count', {}, String(count)), h('div.label', {}, label));
}

export async function render(view, { user }) {
  let counts = null;
  let missing = false;
  // The security and audit administrators read no order: no counts to ask.
  const ORDER_RIGHTS = ['dispatch', 'handle', 'survey', 'supervise', 'register', 'search_orders'];
  const readsOrders = (user.rights || []).some((right) => ORDER_RIGHTS.includes(right));
  try {
    if (readsOrders) counts = (await get('/orders/counts')).data;
  } catch (error) {
    // Until the route exists, /orders/counts reads as an order number (400).
    if (!(error instanceof ApiError && (error.missingRoute || error.field === 'number'))) throw error;
    missing = true;
  }
  const by = (counts && counts.by_state) || {};
  const sum = (...states) => states.reduce((total, state) => total + (by[state] || 0), 0);
  // The approval queues (GET /api/v1/orders?pending=...): what awaits this user's decision.
  const pending = (kind) => ((counts && counts.pending) || {})[kind] || 0;
  const cards = {
    agent: () => [card('#/intake', '+', T('新建工单（受理来电）', 'Register a call'))],
    dispatcher: () => [
      card('#/dispatch?state=new', sum('new'), T('待派单', 'New, to dispatch'), sum('new') ? 'warn' : null),
      card('#/dispatch?state=return_pending', pending('return'), T('退单待审', 'Returns to decide'), pending('return') ? 'warn' : null),
      card('#/intake', '+', T('新建工单', 'Register an order'))],
    handler: () => [
      card('#/inbox', sum('dispatched'), T('待签收', 'To sign for'), sum('dispatched') ? 'warn' : null),
      card('#/inbox', sum('signed', 'handling'), T('办理中', 'Handling')),
      card('#/inbox', counts.overdue, t('overdue'), counts.overdue ? 'bad' : null),
      card('#/inbox', counts.due_soon, t('due_soon'), counts.due_soon ? 'warn' : null)],
    surveyor: () => [card('#/survey', sum('completed'), T('待回访', 'Waiting for a call'), sum('completed') ? 'warn' : null)],
    supervisor: () => [
      card('#/supervision?view=overdue', counts.overdue, t('overdue'), counts.overdue ? 'bad' : null),
      card('#/supervision?view=due_soon', counts.due_soon, t('due_soon'), counts.due_soon ? 'warn' : null),
      card('#/supervision?view=extensions', pending('extension'), T('延期申请待审批', 'Extension requests to decide'), pending('extension') ? 'warn' : null),
      card('#/supervision?view=appeals', pending('appeal'), T('申诉待审核', 'Appeals to decide'), pending('appeal') ? 'warn' : null)],
    analyst: () => [card('#/bulletin', '→', t('bulletin')), card('#/orders', sum('new', 'dispatched', 'signed', 'handling'), T('在办工单', 'Open orders'))],
    sysadmin: () => [card('#/admin/units', '→', t('admin')), card('#/bulletin', '→', t('bulletin'))],
    secadmin: () => [card('#/admin/users', '→', T('用户与角色', 'Users and roles')), card('#/admin/apikeys', '→', T('Open311 接口密钥', 'Open311 API keys'))],
    auditor: () => [card('#/admin/audit', '→', T('查阅审计', 'Audit of reads'))],
  };
  add(view, 
    h('h1', {}, T(`您好，${user.name || user.username}`, `Hello, ${user.name || user.username}`)),
    h('p.muted', {}, [user.role_label || label('roles', user.role), user.unit_name || user.unit].filter(Boolean).join(' · ')),
    h('h2', {}, T('现在要做的事', 'To do now')),
    missing ? notice(t('not_available', { route: 'GET /api/v1/orders/counts' })) : null,
    counts || !readsOrders || user.role === 'agent' || user.role === 'sysadmin'
      ? h('div.cards#todo', {}, (cards[user.role] || (() => []))())
      : null);
}
