// i18n.js: the pages' language. Chinese by default; the English switch is
// remembered in localStorage and sent to the server with every API call
// (?lang=), so that the server's messages and labels come in the same
// language. Shared words live in the dictionary below (t('key')); a text
// used on one page only stands where it is used as T('中文', 'English'),
// as HL_T does in the C code. The values of an order's enumerations
// (states, types, channels, survey outcomes, ratings, roles) and their
// labels are not words of the pages: the server serves them
// (vocabulary.js).

const STORAGE_KEY = 'hotline.lang';

let language = localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';

const dictionary = {
  app_name: ['12345 热线工单平台', '12345 Hotline'],
  home: ['首页', 'Home'],
  intake: ['受理', 'Intake'],
  dispatch: ['派单', 'Dispatch'],
  inbox: ['承办', 'Unit inbox'],
  survey: ['回访', 'Survey'],
  supervision: ['督办', 'Supervision'],
  bulletin: ['月度通报', 'Bulletin'],
  orders: ['工单查询', 'Orders'],
  admin: ['系统管理', 'Administration'],
  login: ['登录', 'Log in'],
  logout: ['退出', 'Log out'],
  switch_language: ['English', '中文'],
  username: ['用户名', 'Username'],
  password: ['密码', 'Password'],
  password_page: ['修改密码', 'Change password'],
  save: ['保存', 'Save'],
  cancel: ['取消', 'Cancel'],
  search: ['查询', 'Search'],
  reset: ['重置', 'Reset'],
  loading: ['正在加载…', 'Loading…'],
  none: ['无', 'none'],
  previous_page: ['上一页', 'Previous'],
  next_page: ['下一页', 'Next'],
  page_of: ['第 {page} / {pages} 页，共 {total} 条', 'Page {page} of {pages}, {total} in all'],
  no_orders: ['没有符合条件的工单。', 'No orders match.'],
  number: ['工单编号', 'Number'],
  title: ['标题', 'Title'],
  content: ['诉求内容', 'Content'],
  state: ['状态', 'State'],
  type: ['类型', 'Type'],
  channel: ['渠道', 'Channel'],
  category: ['分类', 'Category'],
  address: ['地址', 'Address'],
  citizen_name: ['来电人', 'Caller'],
  citizen_phone: ['来电号码', 'Phone'],
  received_at: ['受理时间', 'Received'],
  lead_unit: ['承办单位', 'Lead unit'],
  co_units: ['协办单位', 'Co-handling units'],
  due_at: ['办理时限', 'Deadline'],
  time_left: ['剩余时间', 'Time left'],
  note: ['说明', 'Note'],
  unit: ['单位', 'Unit'],
  all: ['全部', 'All'],
  overdue: ['已超期', 'Overdue'],
  due_soon: ['即将超期', 'Due soon'],
  working_days_left: ['剩 {days} 个工作日', '{days} working days left'],
  one_working_day_left: ['剩 1 个工作日', '1 working day left'],
  due_today: ['今日到期', 'due today'],
  overdue_by: ['超期 {days} 个工作日', 'overdue by {days} working days'],
  overdue_by_one: ['超期 1 个工作日', 'overdue by 1 working day'],
  not_available: ['此功能所需的服务端接口尚未提供：{route}', 'The server does not offer this yet: {route}'],
  refused_title: ['无权访问', 'Access refused'],
  refused_order: ['工单不存在，或您无权查看此工单。', 'This order does not exist, or you may not see it.'],
  refused_page: ['您的角色无权使用此页面。', 'Your role may not use this page.'],
  back_home: ['返回首页', 'Back to the home page'],
  saved: ['已保存', 'Saved'],
  done: ['已完成', 'Done'],
};

export function lang() {
  return language;
}

export function setLang(next) {
  language = next === 'en' ? 'en' : 'zh';
  localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language === 'en' ? 'en' : 'zh-CN';
}

// A dictionary entry, with {name} replaced from params; the key itself when unknown.
export function t(key, params = {}) {
  const entry = dictionary[key];
  const text = entry ? entry[language === 'en' ? 1 : 0] : key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

// A text of one page: the Chinese or the English of the pair.
export function T(chinese, english) {
  return language === 'en' ? english : chinese;
}

document.documentElement.lang = language === 'en' ? 'en' : 'zh-CN';
