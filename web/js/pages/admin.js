// admin.js: administration (系统管理): users and roles, units and their
// ranking groups, categories with their time limits and the other limits,
// the working-day calendar, the Open311 API keys and the audit of reads.
// Each section is a table read from the server and a form that creates or
// changes one record; the server checks every field and its message shows
// beside it. The tabs follow the user's rights (三员分立): the system
// administrator's (units, categories, calendar), the security
// administrator's (users, API keys) and the audit administrator's (the
// audit, read only).

import { ApiError, call, forget, get } from '../api.js';
import { currentUser } from '../main.js';
import { clear, errorText, h, notice, toast } from '../dom.js';
import { busy, checkRequired, field, formError, showError, values } from '../forms.js';
import { t, T } from '../i18n.js';
import { directory, unitOptions } from '../lists.js';
import { label, options } from '../vocabulary.js';


function table(id, headings, rows) {
  return h('div.table-wrap', {}, h('table', { id },
    h('thead', {}, h('tr', {}, headings.map((heading) => h('th', { scope: 'col' }, heading)))),
    h('tbody', {}, rows)));
}

// A form that sends its values; fill(record) puts a record in it for editing.
function recordForm({ id, title, fields, submit, convert = (body) => body }) {
  const form = h('form.panel', { id, novalidate: true }, h('h3', {}, title), fields, formError(),
    h('div.buttons', {}, h('button.primary', { type: 'submit' }, t('save')), h('button', { type: 'reset' }, t('reset'))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkRequired(form)) return;
    await busy(form, async () => {
      try {
        await submit(convert(values(form), form));
        toast(t('saved'));
        forget();
        form.dispatchEvent(new CustomEvent('saved'));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        showError(form, error);
      }
    });
  });
  form.fill = (record) => {
    for (const control of form.querySelectorAll('[name]')) {
      if (!(control.name in record)) continue;
      const value = record[control.name];
      control.value = typeof value === 'boolean' ? String(value) : value ?? '';
    }
    form.querySelector('[name]').focus();
  };
  return form;
}

const activeOptions = () => [['true', T('启用', 'active')], ['false', T('停用', 'inactive')]];
const toBoolean = (body) => ({ ...body, ...(body.active !== undefined ? { active: body.active === 'true' } : {}) });

async function section(body, path, query, build) {
  let data;
  try {
    data = (await get(path, query)).data;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    clear(body, error.missingRoute ? notice(t('not_available', { route: `GET /api/v1${path}` })) : h('p.form-error', {}, errorText(error)));
    return;
  }
  build(data);
}

// Built at each render, so that the tabs' names follow the language.
const sections = () => ({
  users: [T('用户与角色', 'Users and roles'), async (body, dir) => section(body, '/users', {}, (data) => {
    const form = recordForm({
      id: 'user-form', title: T('新建或修改用户（修改时密码留空则不变）', 'Add or change a user (leave the password empty to keep it)'),
      fields: [
        h('div.row', {},
          field({ name: 'username', label: t('username'), required: true, attributes: { autocomplete: 'off' } }),
          field({ name: 'name', label: T('姓名', 'Name'), required: true })),
        h('div.row', {},
          field({ name: 'role', label: T('角色', 'Role'), kind: 'select', required: true, options: [['', '—'], ...options('roles')] }),
          field({ name: 'unit', label: T('所属单位（承办人）', 'Unit (handlers)'), kind: 'select', options: unitOptions(dir, { blank: '—' }) }),
          field({ name: 'active', label: T('状态', 'Status'), kind: 'select', options: activeOptions(), value: 'true' })),
        field({ name: 'password', label: t('password'), kind: 'password', attributes: { autocomplete: 'new-password' } }),
      ],
      convert: toBoolean,
      submit: (record) => {
        const exists = data.users.some((user) => user.username === record.username);
        const { username, ...change } = record;
        return exists ? call('PUT', `/users/${encodeURIComponent(username)}`, { body: change }) : call('POST', '/users', { body: { ...record, active: undefined } });
      },
    });
    form.addEventListener('saved', () => render(body.closest('.view'), { route: { parts: ['admin', 'users'] } }));
    clear(body, form, table('users-table', [t('username'), T('姓名', 'Name'), T('角色', 'Role'), t('unit'), T('状态', 'Status'), ''],
      data.users.map((user) => h('tr', { dataset: { username: user.username } },
        h('td', {}, user.username), h('td', {}, user.name), h('td', {}, label('roles', user.role)), h('td', {}, dir.unitName(user.unit)),
        h('td', {}, user.active ? T('启用', 'active') : T('停用', 'inactive')),
        h('td', {}, h('button.small', { type: 'button', onclick: () => form.fill({ ...user, password: '' }) }, T('修改', 'Edit')),
          ' ',
          // Lifts the login wait after failed logins (finding 3 of issue 11).
          h('button.small', { type: 'button', dataset: { unlock: user.username }, onclick: async () => {
            try {
              await call('PUT', `/users/${encodeURIComponent(user.username)}`, { body: { unlock: true } });
              toast(T('已解除登录等待', 'Login wait lifted'));
            } catch (error) {
              if (!(error instanceof ApiError)) throw error;
              toast(error.message);
            }
          } }, T('解除等待', 'Unlock')))))));
  })],
  units: [T('单位与分组', 'Units and groups'), async (body) => section(body, '/units', {}, (data) => {
    const form = recordForm({
      id: 'unit-form', title: T('新建或修改单位', 'Add or change a unit'),
      fields: [h('div.row', {},
        field({ name: 'code', label: T('编码', 'Code'), required: true }),
        field({ name: 'name', label: T('名称', 'Name'), required: true }),
        field({ name: 'group', label: T('排名分组', 'Ranking group'), required: true, attributes: { list: 'groups' } }),
        field({ name: 'active', label: T('状态', 'Status'), kind: 'select', options: activeOptions(), value: 'true' })),
      h('datalist#groups', {}, [...new Set(data.units.map((unit) => unit.group))].map((group) => h('option', { value: group })))],
      convert: toBoolean,
      submit: (record) => call('POST', '/units', { body: record }),
    });
    form.addEventListener('saved', () => render(body.closest('.view'), { route: { parts: ['admin', 'units'] } }));
    clear(body, form, table('units-table', [T('编码', 'Code'), T('名称', 'Name'), T('排名分组', 'Ranking group'), T('状态', 'Status'), ''],
      data.units.map((unit) => h('tr', { dataset: { code: unit.code } },
        h('td', {}, unit.code), h('td', {}, unit.name), h('td', {}, unit.group_label || unit.group),
        h('td', {}, unit.active === false ? T('停用', 'inactive') : T('启用', 'active')),
        h('td', {}, h('button.small', { type: 'button', onclick: () => form.fill(unit) }, T('修改', 'Edit')))))));
  })],
  categories: [T('分类与时限', 'Categories and time limits'), async (body, dir) => section(body, '/categories', {}, async (data) => {
    const form = recordForm({
      id: 'category-form', title: T('新建或修改分类', 'Add or change a category'),
      fields: [h('div.row', {},
        field({ name: 'code', label: T('编码', 'Code'), required: true }),
        field({ name: 'name', label: T('名称', 'Name'), required: true }),
        field({ name: 'parent', label: T('上级分类', 'Parent'), kind: 'select', options: [['', '—'], ...data.categories.filter((category) => !category.parent).map((category) => [category.code, category.name])] }),
        field({ name: 'default_unit', label: T('默认承办单位', 'Default unit'), kind: 'select', options: unitOptions(dir, { blank: '—' }) }),
        field({ name: 'handle_days', label: T('办理时限（工作日，0 为按类型）', 'Time limit (working days, 0: by type)'), kind: 'number', attributes: { min: 0, max: 365 } }),
        field({ name: 'active', label: T('状态', 'Status'), kind: 'select', options: activeOptions(), value: 'true' }))],
      convert: (record) => ({ ...toBoolean(record), ...(record.handle_days !== undefined ? { handle_days: Number(record.handle_days) } : {}) }),
      submit: (record) => call('POST', '/categories', { body: record }),
    });
    form.addEventListener('saved', () => render(body.closest('.view'), { route: { parts: ['admin', 'categories'] } }));
    const limits = h('div#limits');
    clear(body, form, table('categories-table', [T('编码', 'Code'), T('名称', 'Name'), T('上级', 'Parent'), T('默认单位', 'Default unit'), T('时限', 'Limit'), ''],
      data.categories.map((category) => h('tr', { dataset: { code: category.code } },
        h('td', {}, category.code), h('td', {}, category.name), h('td', {}, dir.categoryName(category.parent)),
        h('td', {}, dir.unitName(category.default_unit)), h('td.num', {}, category.handle_days ? String(category.handle_days) : '—'),
        h('td', {}, h('button.small', { type: 'button', onclick: () => form.fill(category) }, T('修改', 'Edit')))))),
    h('h3', {}, T('其他时限与通报规则', 'Other limits and bulletin rules')), limits);
    await section(limits, '/config', {}, (config) => {
      // Each setting by its label and explanation from the server; the key,
      // which the command line and the API use, is shown small beside it.
      const words = (key) => (config.labels && config.labels[key]) || { label: key, help: '' };
      clear(limits, table('config-table', [T('项', 'Setting'), T('值', 'Value'), ''], Object.entries(config.limits).map(([key, value]) => {
        const form2 = h('form', { novalidate: true, dataset: { key } },
          field({ name: 'value', label: words(key).label, value: String(value) }), formError(),
          h('button.small', { type: 'submit' }, t('save')));
        form2.addEventListener('submit', async (event) => {
          event.preventDefault();
          try {
            await call('PUT', `/config/${encodeURIComponent(key)}`, { body: { value: form2.querySelector('[name=value]').value.trim() } });
            toast(t('saved'));
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            showError(form2, error);
          }
        });
        return h('tr', {}, h('td', {}, h('div', {}, h('strong', {}, words(key).label), ' ', h('code.setting-key', {}, key)),
          h('div.hint', {}, words(key).help)), h('td', { colspan: 2 }, form2));
      })));
    });
  })],
  calendar: [T('工作日日历', 'Calendar'), async (body, dir, context) => {
    // Without a year in the address the server's year is shown (its clock,
    // not the browser's, decides which year is current).
    const asked = Number(context.route.query?.get('year')) || null;
    await section(body, '/calendar', asked ? { year: asked } : {}, (data) => {
      const year = data.year;
      const form = recordForm({
        id: 'calendar-form', title: T('新增或修改一天（节假日或调休上班日）', 'Add or change a day (holiday or working weekend day)'),
        fields: [h('div.row', {},
          field({ name: 'date', label: T('日期', 'Date'), kind: 'date', required: true }),
          field({ name: 'kind', label: T('类型', 'Kind'), kind: 'select', required: true, options: [['holiday', T('节假日', 'holiday')], ['workday', T('调休上班', 'working day')]] }),
          field({ name: 'name', label: T('名称', 'Name'), required: true }))],
        submit: (record) => call('POST', '/calendar', { body: record }),
      });
      form.addEventListener('saved', () => render(body.closest('.view'), { route: { parts: ['admin', 'calendar'], query: new URLSearchParams({ year }) } }));
      clear(body,
        h('div.buttons', {}, [year - 1, year, year + 1].map((other) => h(other === year ? 'a.button.primary' : 'a.button', { href: `#/admin/calendar?year=${other}` }, String(other)))),
        form, table('calendar-table', [T('日期', 'Date'), T('类型', 'Kind'), T('名称', 'Name')],
          data.days.map((day) => h('tr', {}, h('td', {}, day.date), h('td', {}, day.kind === 'holiday' ? T('节假日', 'holiday') : T('调休上班', 'working day')), h('td', {}, day.name)))));
    });
  }],
  apikeys: [T('Open311 接口密钥', 'Open311 API keys'), async (body) => section(body, '/apikeys', {}, (data) => {
    const keys = data.keys || data.apikeys || [];
    const created = h('div#new-key');
    const form = recordForm({
      id: 'apikey-form', title: T('新建密钥', 'New key'),
      fields: [h('div.row', {},
        field({ name: 'name', label: T('用途（调用方名称）', 'Used by'), required: true }),
        field({ name: 'rate_per_minute', label: T('每分钟提交上限（默认 60）', 'Posts per minute (default 60)'), kind: 'number', attributes: { min: 1, max: 6000 } }))],
      convert: (record) => ({ ...record, ...(record.rate_per_minute !== undefined ? { rate_per_minute: Number(record.rate_per_minute) } : {}) }),
      submit: async (record) => {
        const answer = (await call('POST', '/apikeys', { body: record })).data;
        clear(created, notice(T(`新密钥（只显示这一次）：${answer.key || answer.api_key || ''}`, `The new key (shown only once): ${answer.key || answer.api_key || ''}`)));
      },
    });
    clear(body, form, created, table('apikeys-table', ['ID', T('用途', 'Used by'), T('密钥开头', 'Starts with'), T('每分钟提交', 'Posts/minute'), T('创建时间', 'Created'), T('状态', 'Status'), ''],
      keys.map((key) => h('tr', { dataset: { id: key.id } }, h('td', {}, String(key.id)), h('td', {}, key.name || ''),
        h('td', {}, key.prefix || '—'), h('td.num', {}, key.rate_per_minute !== undefined ? String(key.rate_per_minute) : '—'),
        h('td', {}, (key.created_at || '').slice(0, 16).replace('T', ' ')),
        h('td', {}, key.revoked || key.revoked_at ? T('已撤销', 'revoked') : T('有效', 'valid')),
        h('td', {}, h('button.small.danger', { type: 'button', onclick: async () => {
          try {
            await call('DELETE', `/apikeys/${encodeURIComponent(key.id)}`);
            toast(T('已撤销', 'Revoked'));
            render(body.closest('.view'), { route: { parts: ['admin', 'apikeys'] } });
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            toast(error.message);
          }
        } }, T('撤销', 'Revoke')))))));
  })],
  audit: [T('查阅审计', 'Audit of reads'), async (body) => section(body, '/audit/phone-reads', {}, (data) => {
    clear(body, table('audit-table', [T('时间', 'Time'), T('工单', 'Order'), T('查阅人', 'Who'), T('途径', 'Route')],
      (data.reads || []).map((read) => h('tr', {}, h('td', {}, (read.at || '').slice(0, 19).replace('T', ' ')),
        h('td', {}, read.order || '—'), h('td', {}, read.user || read.actor || ''), h('td', {}, read.route || '')))));
  })],
});

// The right each tab needs (app/auth decides; the server refuses the rest).
const RIGHT_OF_SECTION = {
  users: 'manage_accounts', apikeys: 'manage_accounts', units: 'manage_directory',
  categories: 'manage_directory', calendar: 'manage_directory', audit: 'read_audit',
};

export async function render(view, context) {
  const rights = (context.user || currentUser() || {}).rights || [];
  const SECTIONS = Object.fromEntries(Object.entries(sections())
    .filter(([name]) => rights.includes(RIGHT_OF_SECTION[name])));
  const names = Object.keys(SECTIONS);
  if (names.length === 0) return;
  const which = SECTIONS[context.route.parts[1]] ? context.route.parts[1] : names[0];
  const dir = await directory();
  const body = h('section.panel#admin-section');
  clear(view, h('h1', {}, t('admin')),
    h('nav.tabs', {}, Object.entries(SECTIONS).map(([name, [label]]) =>
      h('a', { href: `#/admin/${name}`, class: name === which ? 'active' : null }, label))),
    body);
  try {
    await SECTIONS[which][1](body, dir, context);
  } catch (error) {
    clear(body, h('p.form-error', { role: 'alert' }, errorText(error)));
  }
}
