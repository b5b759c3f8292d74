// order.js: everything about one order: its registration, where it
// stands, its deadlines, the survey and appeal, the whole timeline of its
// events, the caller's earlier orders, and the actions this user may take.
// An order the user may not read answers 404, exactly as an absent one:
// the page shows the refusal page for both.

import { actionPanel, workflow } from '../actions.js';
import { ApiError, get } from '../api.js';
import { clear, errorText, h, loading } from '../dom.js';
import { t, T } from '../i18n.js';
import { directory } from '../lists.js';
import { earlierOrders, facts, timeline } from '../widgets.js';

export async function render(view, context) {
  const number = context.route.parts[1];
  view.append(loading());
  const dir = await directory();
  const flow = await workflow();

  // given: the order as an action just answered it; its events are read
  // only while the user may still read the order.
  async function show(given, givenEtag) {
    let order;
    let etag;
    let events;
    try {
      const answer = given ? { data: given, etag: givenEtag } : await get(`/orders/${encodeURIComponent(number)}`);
      order = answer.data;
      etag = answer.etag;
      events = (await get(`/orders/${encodeURIComponent(number)}/events`)).data.events;
    } catch (error) {
      if (given && error instanceof ApiError && error.status === 404) {
        clear(view, h('h1', {}, `${t('number')} ${given.number}`),
          h('p.notice', {}, T(`工单现为“${given.state_label}”，您已无权查看其处理记录。`,
            `The order is now "${given.state_label}"; you may no longer see its history.`)));
        return;
      }
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
        context.refusal(view, t('refused_order'));
        return;
      }
      throw error;
    }
    if (!context.isCurrent()) return;
    const canMerge = order.state === 'new' && flow && flow.actions.some((action) => action.name === 'merge' && action.roles.includes(context.user.role));
    const merge = canMerge ? async (earlier) => {
      const panelForm = view.querySelector('#actions');
      const button = panelForm && panelForm.querySelector('button[data-action="merge"]');
      if (button) {
        button.click();
        const input = view.querySelector('form[data-action="merge"] input[name="into"]');
        input.value = earlier.number;
        input.focus();
      }
    } : null;
    clear(view,
      h('h1', {}, `${t('number')} ${order.number} · `, order.title),
      h('div.grid-2', {},
        h('div', {},
          h('section.panel', {}, h('h2', {}, T('工单信息', 'The order')), facts(order, dir)),
          h('section.panel', {}, h('h2', {}, T('处理记录', 'Timeline')), timeline(events, dir))),
        h('div', {},
          h('section.panel', {}, h('h2', {}, T('可执行操作', 'Actions')),
            actionPanel({ order, etag, user: context.user, flow, dir, onDone: (changed, changedEtag) => show(changed, changedEtag), reread: () => show() })),
          // Those who take calls, dispatch or supervise look for repeated calls.
          ['register', 'dispatch', 'supervise'].some((right) => (context.user.rights || []).includes(right))
            ? h('section.panel', {}, h('h2', {}, T('此号码的历史工单', 'Earlier orders from this number')),
              await earlierOrders(order.number, dir, { onMerge: merge }))
            : null)));
  }
  try {
    await show();
  } catch (error) {
    clear(view, h('p.form-error', { role: 'alert' }, errorText(error)));
  }
}
