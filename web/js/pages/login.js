// login.js: the login page. Posts to /api/v1/login (the server sets the
// HttpOnly session cookie), then reads /api/v1/me for the user's name,
// role and unit, and goes to the page asked for before, or home.

import { ApiError, call } from '../api.js';
import { h } from '../dom.js';
import { busy, checkRequired, field, formError, showError } from '../forms.js';
import { lang, setLang, t, T } from '../i18n.js';

export async function render(view, { navigate, setUser }) {
  const username = field({ name: 'username', label: t('username'), required: true,
    attributes: { autocomplete: 'username', autofocus: true } });
  const password = field({ name: 'password', label: t('password'), kind: 'password', required: true,
    attributes: { autocomplete: 'current-password' } });
  const form = h('form#login-form', { novalidate: true },
    username, password, formError(),
    h('div.buttons', {},
      h('button.primary', { type: 'submit' }, t('login')),
      h('button', { type: 'button', id: 'lang-switch', onclick: () => { setLang(lang() === 'en' ? 'zh' : 'en'); navigate('#/login'); } },
        t('switch_language'))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkRequired(form)) return;
    await busy(form, async () => {
      try {
        const { data } = await call('POST', '/login', {
          body: { username: username.control.value.trim(), password: password.control.value } });
        let user = { username: data.username, role: data.role, unit: data.unit };
        try {
          user = { ...user, ...(await call('GET', '/me')).data };
        } catch (error) {
          if (!(error instanceof ApiError && error.missingRoute)) throw error;
        }
        setUser(user);
        const back = sessionStorage.getItem('hotline.after-login');
        sessionStorage.removeItem('hotline.after-login');
        navigate(back || '#/');
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        // A failed login names no field the user could fix alone: show it
        // beside the password, which is kept so that a typo can be corrected.
        showError(form, { field: error.field === 'username' ? 'username' : 'password', message: error.message });
      }
    });
  });
  view.append(h('section.panel.login', {},
    h('h1', {}, t('app_name')),
    h('p.muted', {}, T('请使用您的账号登录。', 'Log in with your account.')),
    form));
  username.control.focus();
}
