// desk.js: the layout of the working desks (dispatch, unit inbox, survey,
// supervision): a list of orders on the left, paged and filtered on the
// server, and the chosen order on the right with the actions this desk
// takes on it. After an action the list and the order are read again.

import { actionPanel, workflow } from './actions.js';
import { ApiError, get } from './api.js';
import { add, clear, errorText, h, notice } from './dom.js';
import { t, T } from './i18n.js';
import { directory, orderList } from './lists.js';
import { facts, latestNotes } from './widgets.js';

export async function desk(view, context, { title, intro, list, only, extra }) {
  const dir = await directory();
  const flow = await workflow();
  const detail = h('section.panel#desk-order', {}, h('p.muted', {}, T('从左侧列表选择一件工单。', 'Choose an order from the list.')));
  const options = list(dir);
  // A filter named in the route (#/dispatch?state=new) starts with that value.
  for (const spec of options.filterFields || []) {
    if (context.route.query.has(spec.name)) spec.value = context.route.query.get(spec.name);
  }
  // On a phone the chosen order opens below the list: bring it into sight.
  const reveal = () => {
    if (window.matchMedia('(max-width: 760px)').matches) detail.scrollIntoView({ block: 'start' });
  };
  const orders = orderList({ ...options, onSelect: (order) => { open(order.number).then(reveal); } });

  let notesRead = { number: null, events: [] };
  // Shows an order: read from the server, or as an action just answered
  // it (which may have moved it out of this user's sight, as a
  // dissatisfied survey that sends it back to the unit).
  async function open(number, given) {
    let answer = given;
    let events = [];
    if (!answer) clear(detail, h('p.muted', {}, t('loading')));
    try {
      // The events only for their notes. After an action the order may
      // have left this user's sight (a dissatisfied survey sends it back
      // to the unit), so the notes read when it was opened are kept.
      [answer, events] = await Promise.all([answer || get(`/orders/${number}`),
        given ? (notesRead.number === number ? notesRead.events : [])
          : get(`/orders/${number}/events`).then((reply) => reply.data.events)]);
      if (!given) notesRead = { number, events };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      clear(detail, h('p.form-error', { role: 'alert' }, errorText(error)));
      return;
    }
    const order = answer.data;
    clear(detail,
      h('h2', {}, h('a', { href: `#/orders/${order.number}` }, order.number), ' · ', order.title),
      actionPanel({ order, etag: answer.etag, user: context.user, flow, dir, only,
        onDone: async (changed, etag) => { await orders.reload(); await open(number, { data: changed, etag }); },
        reread: () => open(number) }),
      h('p.muted#desk-state', {}, `${t('state')}：${order.state_label}`),
      latestNotes(events),
      extra ? await extra(order, dir, () => open(number)) : null,
      h('details', { open: true }, h('summary', {}, T('工单详情', 'Details')), facts(order, dir)));
  }

  add(view, 
    h('h1', {}, title),
    intro ? h('p.muted', {}, intro) : null,
    dir.missing.length ? notice(t('not_available', { route: dir.missing.join(', ') })) : null,
    h('div.grid-2', {}, h('section.panel', {}, orders.element), detail));
  await orders.reload();
  return { dir, reload: orders.reload, open };
}
