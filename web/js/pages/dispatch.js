// dispatch.js: the dispatch desk (派单): new orders and returned ones
// (return_pending: the queue of returns, each with the unit's reason),
// oldest first; for the chosen order, dispatch with the unit picker (the
// category's default unit preselected), reassign, accept a return
// (reassign) or reject it, merge a repeat request into an earlier order,
// or mark it invalid.

import { desk } from '../desk.js';
import { t, T } from '../i18n.js';
import { columns } from '../lists.js';
import { h } from '../dom.js';
import { earlierOrders } from '../widgets.js';

export async function render(view, context) {
  await desk(view, context, {
    title: t('dispatch'),
    intro: T('待派单与退单待审的工单，按受理时间排序。退单：改派即同意退单，驳回则退回原单位。',
      'New and returned orders, oldest first. A return is accepted by reassigning, or rejected back to the unit.'),
    list: (dir) => ({
      id: 'dispatch-queue',
      query: { state: 'new,return_pending', sort: 'received' },
      filterFields: [
        { name: 'state', label: t('state'), kind: 'select', options: [['', t('all')], ['new', T('待派单', 'new')], ['return_pending', T('退单待审', 'returned')]] },
        { name: 'q', label: t('search'), kind: 'search' },
      ],
      // A returned order says why beside it (the unit's reason, the order's pending member).
      cols: columns(dir, ['number', 'received_at', 'title', 'type', 'category', 'state', 'lead_unit', 'pending_reason']),
    }),
    only: ['dispatch', 'reassign', 'return-reject', 'merge', 'invalidate', 'remind'],
    extra: async (order, dir) => (order.state === 'new'
      ? [h('h3', {}, T('此号码的历史工单（可并单）', 'Earlier orders from this number (to merge)')), await earlierOrders(order.number, dir, {
        onMerge: (earlier) => {
          const button = view.querySelector('#actions button[data-action="merge"]');
          if (!button) return;
          button.click();
          view.querySelector('form[data-action="merge"] input[name="into"]').value = earlier.number;
        },
      })]
      : null),
  });
}
