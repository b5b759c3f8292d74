// survey.js: the survey desk (回访): completed orders waiting for the
// callback; for the chosen one, one click per call attempt (no answer,
// busy, refused, wrong number...), and when the citizen is reached the
// five-level rating, resolved or not and a comment. After a dissatisfied
// result the surveyor may reopen the order for the unit to do again.

import { desk } from '../desk.js';
import { t, T } from '../i18n.js';
import { columns } from '../lists.js';

export async function render(view, context) {
  await desk(view, context, {
    title: t('survey'),
    intro: T('已办结待回访的工单。每次呼叫点一下结果；接通后记录满意度与是否解决。',
      'Completed orders waiting for the callback. One click per call; when reached, the rating and whether it was resolved.'),
    list: (dir) => ({
      id: 'survey-list',
      query: { sort: 'received' },
      filterFields: [
        { name: 'state', label: t('state'), kind: 'select', value: 'completed',
          options: [['completed', T('待回访', 'waiting for a call')], ['surveyed', T('已回访（可重办）', 'surveyed (reopen)')]] },
        { name: 'q', label: t('search'), kind: 'search' },
      ],
      cols: columns(dir, ['number', 'completed_at', 'title', 'lead_unit', 'phone', 'state']),
    }),
    only: ['survey', 'reopen'],
  });
}
