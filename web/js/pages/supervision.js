// supervision.js: the supervision desk (督办): overdue and about-to-be-
// overdue orders, by unit (the unit filter) and deadline; reminders and
// supervision notes; extension requests and appeals to decide; reopening
// and archiving completed orders.

import { desk } from '../desk.js';
import { t, T } from '../i18n.js';
import { columns, unitOptions } from '../lists.js';

const VIEWS = {
  overdue: { overdue: '1', state: 'dispatched,signed,handling' },
  due_soon: { due_soon: '1', state: 'dispatched,signed,handling' },
  extensions: { extension_pending: '1', state: 'signed,handling' },
  appeals: { appeal: 'pending', state: 'completed,surveyed,archived' },
};

export async function render(view, context) {
  const which = VIEWS[context.route.query.get('view')] ? context.route.query.get('view') : 'overdue';
  const tabs = [['overdue', t('overdue')], ['due_soon', t('due_soon')], ['extensions', T('延期申请', 'Extension requests')],
    ['appeals', T('申诉', 'Appeals')]];
  const nav = document.createElement('div');
  nav.className = 'tabs';
  for (const [name, label] of tabs) {
    const link = document.createElement('a');
    link.href = `#/supervision?view=${name}`;
    link.textContent = label;
    if (name === which) link.className = 'active';
    nav.append(link);
  }
  view.append(nav);
  await desk(view, context, {
    title: t('supervision'),
    list: (dir) => ({
      id: 'supervision-list',
      query: { ...VIEWS[which], sort: 'deadline' },
      filterFields: [
        { name: 'unit', label: t('unit'), kind: 'select', options: unitOptions(dir, { blank: t('all') }) },
        { name: 'q', label: t('search'), kind: 'search' },
      ],
      cols: columns(dir, ['number', 'title', 'lead_unit', 'state', 'due',
        ...(which === 'extensions' ? ['extension'] : which === 'appeals' ? ['appeal'] : [])]),
    }),
    // The list route filters by state, unit and deadline, not yet by a
    // pending extension or appeal: say so rather than pretend.
    intro: which === 'extensions' || which === 'appeals'
      ? T(`服务端尚不能按“${which === 'extensions' ? '待批延期' : '待审核申诉'}”筛选（GET /api/v1/orders?${VIEWS[which] === VIEWS.extensions ? 'extension_pending=1' : 'appeal=pending'}）：下表列出相关状态的全部工单，请看“${which === 'extensions' ? '待批延期' : '申诉'}”一栏。`,
        `The server cannot yet filter by a pending ${which === 'extensions' ? 'extension' : 'appeal'} (GET /api/v1/orders?${which === 'extensions' ? 'extension_pending=1' : 'appeal=pending'}): the list shows every order in the states concerned; see the "${which === 'extensions' ? 'Extension asked' : 'Appeal'}" column.`)
      : null,
    only: ['remind', 'supervise', 'extend-approve', 'extend-refuse', 'appeal-uphold', 'appeal-reject', 'reopen', 'archive', 'invalidate'],
  });
  view.prepend(view.querySelector('h1'));
}
