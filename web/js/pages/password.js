// password.js: the user's own password (#/password). Posts the current
// and the new password to /api/v1/password; the server checks the policy
// (length, classes, history) and says which rule a refused one breaks,
// beside the field. Every user has this page; one whose password has
// expired (password.max_age_days: GET /api/v1/me says must_change_password)
// is sent here from every other page, because the server answers them 403
// until the password is changed. The session stays; the user's other
// sessions end (app/auth.c).

import { ApiError, call } from '../api.js';
import { h } from '../dom.js';
import { busy, checkRequired, field, formError, showError } from '../forms.js';
import { t, T } from '../i18n.js';

export async function render(view, { user, setUser }) {
  const current = field({ name: 'old', label: T('当前密码', 'Current password'), kind: 'password', required: true,
    attributes: { autocomplete: 'current-password', autofocus: true } });
  const next = field({ name: 'new', label: T('新密码', 'New password'), kind: 'password', required: true,
    attributes: { autocomplete: 'new-password' },
    hint: T('须符合本单位的密码规则（长度、字符种类、不与最近用过的相同）。',
      'It must meet the password rules (length, kinds of characters, not one used lately).') });
  const again = field({ name: 'again', label: T('再次输入新密码', 'New password again'), kind: 'password', required: true,
    attributes: { autocomplete: 'new-password' } });
  const form = h('form#password-form', { novalidate: true }, current, next, again, formError(),
    h('div.buttons', {}, h('button.primary', { type: 'submit' }, t('save'))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkRequired(form)) return;
    if (next.control.value !== again.control.value) {
      showError(form, { field: 'again', message: T('两次输入的新密码不一致', 'The two new passwords differ') });
      return;
    }
    await busy(form, async () => {
      try {
        await call('POST', '/password', { body: { old: current.control.value, new: next.control.value } });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        showError(form, error);
        return;
      }
      setUser({ ...user, must_change_password: false });
      form.replaceWith(h('p#password-changed', { role: 'status' },
        T('密码已修改。', 'The password has been changed.'), ' ', h('a', { href: '#/' }, t('back_home'))));
    });
  });
  const expired = user.must_change_password;
  view.append(h('section.panel.password', {},
    h('h1', {}, t('password_page')),
    expired ? h('p.form-error#password-expired', { role: 'alert' },
      T('密码已过期：请先修改密码，再使用其他页面。', 'Your password has expired: change it before using the other pages.')) : null,
    form));
  current.control.focus();
}
