// caller.js: the caller's history beside the intake form (issue 15). As
// soon as the phone field holds a whole number, the caller's earlier orders
// (GET /api/v1/callers: open ones first, the counts and the repeat-caller
// flag, all decided by the server) show while the citizen is still on the
// line, so that the agent can ask "is this about your order of Monday?"
// before registering another. A number still being typed asks nothing:
// the lookup waits for a whole number and a pause in the typing, and an
// answer that comes back after the number changed is dropped.

import { ApiError, get } from './api.js';
import { clear, errorText, formatTime, h, orderLink, stateBadge } from './dom.js';
import { t, T } from './i18n.js';

const PAUSE_MS = 350;
const SHOWN = 10;
const REPLY_CHARS = 60;

// The number a caller dials, as digits, when text holds a whole one (the
// server's rules in domain/phone.h, enough to tell when to ask): a mobile
// number (11 digits from 1), a landline with its area code (0 and 9 to 11
// digits), a local landline (7 or 8 digits), or a foreign number written
// with + or 00. Else null: the agent is still typing.
export function completeNumber(text) {
  const written = text.trim();
  if (!/^[\d\s+-]+$/.test(written)) return null;
  let digits = written.replace(/\D/g, '');
  let international = written.startsWith('+');
  if (!international && digits.startsWith('00')) {
    international = true;
    digits = digits.slice(2);
  }
  if (international) {
    if (!digits.startsWith('86')) return digits.length >= 8 && digits.length <= 15 ? digits : null;
    digits = digits.slice(2);
    if (!digits.startsWith('1')) digits = `0${digits}`;
  } else if (/^861\d{10}$/.test(digits)) {
    digits = digits.slice(2);
  }
  return /^1\d{10}$/.test(digits) || /^0\d{9,11}$/.test(digits) || /^[2-9]\d{6,7}$/.test(digits) ? digits : null;
}

function excerpt(text) {
  const chars = [...(text || '')];
  return chars.length > REPLY_CHARS ? `${chars.slice(0, REPLY_CHARS).join('')}…` : chars.join('');
}

function summaryLine(answer) {
  const parts = [
    T(`共 ${answer.total} 件工单`, `${answer.total} order${answer.total === 1 ? '' : 's'}`),
    T(`未办结 ${answer.open} 件`, `${answer.open} open`),
    T(`近 ${answer.recent_days} 天 ${answer.recent} 件`, `${answer.recent} in the last ${answer.recent_days} days`),
  ];
  return h('p.caller-summary', {},
    answer.repeat ? [h('span.badge.overdue#caller-repeat', {}, T('重复来电', 'Repeat caller')), ' '] : null,
    parts.join(T('，', ', ')));
}

function orderItem(order, dir) {
  const open = !['completed', 'surveyed', 'archived', 'invalid', 'merged'].includes(order.state);
  return h(`li${open ? '.open' : ''}`, { dataset: { number: order.number } },
    h('div.caller-head', {}, orderLink(order.number), ' ', stateBadge(order),
      h('span.muted', {}, ` ${formatTime(order.received_at).slice(0, 10)} · ${dir.unitName(order.lead_unit)}`)),
    h('div.caller-title', {}, order.title),
    order.reply ? h('div.caller-reply.muted', {}, T('答复：', 'Reply: '), excerpt(order.reply)) : null);
}

// The panel and lookup(text, now): shows the history of text's number
// after a pause in the typing (at once when now), or hides the panel while
// text is not a whole number.
export function callerHistory(dir) {
  const panel = h('section.panel#caller-history', { hidden: true, 'aria-live': 'polite' });
  let timer = null;
  let asked = null;

  async function show(digits) {
    let answer;
    try {
      answer = (await get('/callers', { phone: digits, limit: SHOWN })).data;
    } catch (error) {
      if (asked !== digits) return;
      if (error instanceof ApiError && error.status === 403) {
        panel.hidden = true; // a role that does not see numbers: nothing to show
        return;
      }
      clear(panel, h('h2', {}, T('来电人历史', "Caller's history")), h('p.form-error', { role: 'alert' }, errorText(error)));
      panel.hidden = false;
      return;
    }
    if (asked !== digits) return; // the number changed while the answer came
    clear(panel,
      h('h2', {}, T('来电人历史', "Caller's history")),
      answer.total === 0 ? h('p.muted#caller-new', {}, T('此号码没有工单记录，为新来电人。', 'No orders from this number: a new caller.'))
        : [summaryLine(answer),
          h('ol.caller-orders', {}, answer.orders.map((order) => orderItem(order, dir))),
          answer.total > answer.orders.length
            ? h('p.muted', {}, T(`另有 ${answer.total - answer.orders.length} 件较早的工单，可在“${t('orders')}”中按电话查找。`,
              `${answer.total - answer.orders.length} older orders: search by phone in ${t('orders')}.`))
            : null]);
    panel.hidden = false;
  }

  // now: ask at once (a number already there when the page opens).
  function lookup(text, now = false) {
    const digits = completeNumber(text || '');
    clearTimeout(timer);
    if (digits === asked) return;
    asked = digits;
    if (!digits) {
      panel.hidden = true;
      clear(panel);
      return;
    }
    if (now) show(digits);
    else timer = setTimeout(() => show(digits), PAUSE_MS);
  }

  return { element: panel, lookup };
}
