// inbox.js: the unit's inbox (承办): the unit's open orders sorted by
// deadline, with the working days left and the overdue ones marked; sign
// for, return with a reason, request an extension, record progress, reply
// and complete; and, on completed orders, appeal a survey result. The
// server scopes the list to the handler's unit.

import { desk } from '../desk.js';
import { t, T } from '../i18n.js';
import { columns } from '../lists.js';

export async function render(view, context) {
  await desk(view, context, {
    title: `${t('inbox')}${context.user.unit_name ? ` · ${context.user.unit_name}` : ''}`,
    intro: T('本单位的在办工单，按办理时限排序；剩余时间以工作日计。', "Your unit's open orders by deadline; time left in working days."),
    list: (dir) => ({
      id: 'inbox-list',
      query: { sort: 'deadline' },
      filterFields: [
        { name: 'state', label: t('state'), kind: 'select', value: 'dispatched,signed,handling',
          options: [['dispatched,signed,handling', T('在办（待签收、已签收、办理中）', 'open (to sign, signed, handling)')],
            ['dispatched', T('待签收', 'to sign for')], ['signed,handling', T('办理中', 'handling')],
            ['return_pending', T('退单待审', 'returned')],
            ['completed,surveyed,archived', T('已办结（可申诉）', 'completed (appeals)')]] },
        { name: 'overdue', label: t('overdue'), kind: 'select', options: [['', t('all')], ['1', T('仅超期', 'overdue only')]] },
        { name: 'q', label: t('search'), kind: 'search' },
      ],
      cols: columns(dir, ['number', 'received_at', 'title', 'type', 'state', 'due']),
    }),
    only: ['sign', 'handle', 'complete', 'return', 'extend-request', 'appeal'],
  });
}
