// main.js: the page's frame. Hash routes (#/intake, #/orders/20240201000001),
// the session (who is logged in, kept in localStorage only as a hint; the
// cookie is the session), the navigation, the language switch, and the
// refusal page for routes a user may not use. Which pages a user has is
// the server's answer: the rights of GET /api/v1/me (app/auth decides
// them), each the page that does that work. The server's vocabulary
// (vocabulary.js) is loaded before any page renders. Each page lives in
// pages/*.js and exports render(view, context).

import { call, forget, ApiError } from './api.js';
import { clear, h } from './dom.js';
import { lang, setLang, t } from './i18n.js';
import { label, loadVocabulary } from './vocabulary.js';

const USER_KEY = 'hotline.user';

// The page that does each right's work; the navigation lists them in the
// order the server gives the rights, after the home page.
const PAGE_OF_RIGHT = {
  dispatch: 'dispatch',
  handle: 'inbox',
  survey: 'survey',
  supervise: 'supervision',
  manage_directory: 'admin',
  manage_accounts: 'admin',
  read_audit: 'admin',
  register: 'intake',
  search_orders: 'orders',
  read_reports: 'bulletin',
};

const PAGES = {
  login: () => import('./pages/login.js'),
  home: () => import('./pages/home.js'),
  intake: () => import('./pages/intake.js'),
  dispatch: () => import('./pages/dispatch.js'),
  inbox: () => import('./pages/inbox.js'),
  survey: () => import('./pages/survey.js'),
  supervision: () => import('./pages/supervision.js'),
  bulletin: () => import('./pages/bulletin.js'),
  orders: () => import('./pages/orders.js'),
  order: () => import('./pages/order.js'),
  admin: () => import('./pages/admin.js'),
  password: () => import('./pages/password.js'),
};

let user = readStoredUser();
let renderCount = 0;

function readStoredUser() {
  try {
    return JSON.parse(localStorage.getItem(USER_KEY));
  } catch {
    return null;
  }
}

export function currentUser() {
  return user;
}

export function setUser(next) {
  user = next;
  if (next) localStorage.setItem(USER_KEY, JSON.stringify(next));
  else localStorage.removeItem(USER_KEY);
  forget();
}

// "#/orders/2024?x=1" -> {name: 'order', parts: ['orders', '2024'], query}
function parseRoute() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, search = ''] = hash.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let name = parts[0] || 'home';
  if (name === 'orders' && parts[1]) name = 'order';
  return { name, parts, query: new URLSearchParams(search) };
}

export function navigate(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

// The user's pages, in the order of the navigation.
function navigation() {
  // The three administrators' rights share one page (its tabs follow them).
  const pages = (user.rights || []).map((right) => PAGE_OF_RIGHT[right]).filter(Boolean);
  return ['home', ...new Set(pages)];
}

function mayUse(name) {
  if (name === 'order' || name === 'home' || name === 'password') return true;
  return navigation().includes(name);
}

// A user kept from before the server served rights, or from another
// language, is read again; a session that has ended logs out (api.js).
async function refreshUser() {
  try {
    const { data } = await call('GET', '/me');
    setUser({ ...user, ...data });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
  }
}

function renderFrame(route) {
  const bar = document.getElementById('topbar');
  const nav = document.getElementById('nav');
  const session = document.getElementById('session');
  document.getElementById('brand').textContent = t('app_name');
  bar.hidden = !user;
  document.title = t('app_name');
  if (!user) return;
  const current = route.name === 'order' ? 'orders' : route.name;
  clear(nav, navigation().map((name) =>
    h('a', { href: `#/${name === 'home' ? '' : name}`, class: name === current ? 'active' : null,
      'aria-current': name === current ? 'page' : null }, t(name))));
  clear(session,
    h('span', { title: user.username }, `${user.name || user.username} · ${user.role_label || label('roles', user.role)}`),
    h('a.button.small', { href: '#/password', id: 'password-link' }, t('password_page')),
    h('button.small', { type: 'button', id: 'lang-switch', onclick: switchLanguage }, t('switch_language')),
    h('button.small', { type: 'button', id: 'logout', onclick: logout }, t('logout')));
}

async function switchLanguage() {
  setLang(lang() === 'en' ? 'zh' : 'en');
  forget();
  // Role and unit labels come from the server in the page's language.
  if (user) await refreshUser();
  render();
}

async function logout() {
  try {
    await call('POST', '/logout');
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
  }
  setUser(null);
  navigate('#/login');
}

export function refusal(view, message) {
  document.title = `${t('refused_title')} · ${t('app_name')}`;
  clear(view, h('section.panel.refusal#refusal', {},
    h('h1', {}, t('refused_title')),
    h('p', {}, message),
    h('p', {}, h('a', { href: '#/' }, t('back_home')))));
}

export async function render() {
  const route = parseRoute();
  const view = document.getElementById('view');
  const ticket = ++renderCount;
  if (!user && route.name !== 'login') {
    const back = location.hash && location.hash !== '#/login' ? location.hash : '';
    sessionStorage.setItem('hotline.after-login', back);
    location.hash = '#/login';
    return;
  }
  if (user) {
    if (!Array.isArray(user.rights)) await refreshUser();
    if (!user) return; // the session had ended: the login page is on its way
    try {
      await loadVocabulary();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
    if (ticket !== renderCount) return;
  }
  // An expired password (password.max_age_days): the server serves only its
  // change, so every other page waits until it is done.
  if (user && user.must_change_password && route.name !== 'password') {
    location.hash = '#/password';
    return;
  }
  renderFrame(route);
  document.getElementById('nav').classList.remove('open');
  if (route.name !== 'login' && !PAGES[route.name]) {
    refusal(view, T404());
    return;
  }
  if (route.name !== 'login' && !mayUse(route.name)) {
    refusal(view, t('refused_page'));
    return;
  }
  const module = await PAGES[route.name]();
  if (ticket !== renderCount) return; // another route was asked for meanwhile
  clear(view);
  const titleKey = { order: 'orders', password: 'password_page' }[route.name] || route.name;
  document.title = `${t(titleKey)} · ${t('app_name')}`;
  await module.render(view, { route, user, navigate, refusal, setUser, isCurrent: () => ticket === renderCount });
  // A page that put the focus somewhere (the first field of a form) keeps it.
  if (!view.contains(document.activeElement)) view.focus({ preventScroll: true });
}

function T404() {
  return lang() === 'en' ? 'There is no such page.' : '没有这个页面。';
}

window.addEventListener('hashchange', render);
window.addEventListener('hotline:password-expired', () => {
  if (!user || user.must_change_password) return;
  setUser({ ...user, must_change_password: true });
  navigate('#/password');
});
window.addEventListener('hotline:logged-out', () => {
  if (!user) return;
  setUser(null);
  navigate('#/login');
});
document.getElementById('menu-toggle').addEventListener('click', (event) => {
  const nav = document.getElementById('nav');
  nav.classList.toggle('open');
  event.currentTarget.setAttribute('aria-expanded', String(nav.classList.contains('open')));
});

render();
