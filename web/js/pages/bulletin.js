// bulletin.js: the monthly bulletin (月度通报): the month picker, the
// notice paragraph, each group's ranking table (each unit's satisfaction
// rate with its Wilson interval and its change since the month before),
// the seven measures of every unit, the charts (each group's ranking
// against the month's average satisfaction rate, the trend over every month
// with results, orders by category) and the downloads (XLSX, CSV, the
// printable page). Every figure is the server's (GET /api/v1/reports/...):
// this page computes none.

import { ApiError, cached, call, get, url } from '../api.js';
import { add, cardTable, clear, errorText, h, notice } from '../dom.js';
import { busy, field, formError, showError } from '../forms.js';
import { t, T } from '../i18n.js';

const ECHARTS = '/vendor/echarts.esm.min.mjs';

function monthBefore(month, count) {
  const [year, number] = month.split('-').map(Number);
  const index = year * 12 + (number - 1) - count;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

// The first month of the trend: the first with results, or this one when
// it is earlier, and no more than the ten years one request may ask for.
function trendStart(available, month) {
  const first = available.length && available[0] < month ? available[0] : month;
  const limit = monthBefore(month, 119);
  return first < limit ? limit : first;
}

function percent(ratio) {
  return ratio && ratio.percent !== null && ratio.percent !== undefined ? `${ratio.percent}%` : '—';
}

// The change of the satisfaction rate and of the rank since last month.
function change(unit) {
  const before = unit.previous;
  const now = unit.rates.satisfaction;
  if (!before || !before.satisfaction_rate || before.satisfaction_rate.percent == null || now.percent == null) return h('span.muted', {}, '—');
  const delta = Number(now.percent) - Number(before.satisfaction_rate.percent);
  const rankText = before.rank && unit.rank ? ` · ${T('名次', 'rank')} ${before.rank}→${unit.rank}` : '';
  return h(`span.${delta >= 0 ? 'up' : 'down'}`, {}, `${delta >= 0 ? '+' : ''}${delta.toFixed(2)}${rankText}`);
}

function rankingTable(group, index) {
  return h('section.panel.group', { dataset: { group: group.name } },
    h('h2', {}, `${group.name}${T('满意率排名', ': satisfaction ranking')}`),
    h('div.table-wrap', {}, cardTable(h('table', { id: `ranking-${index}` },
      h('thead', {}, h('tr', {},
        [T('排名', 'Rank'), t('unit'), T('确定基数', 'Surveyed'), T('调查成功', 'Reached'), T('满意', 'Satisfied'),
          T('满意率', 'Satisfaction'), T('95% 区间', '95% interval'), T('解决率', 'Resolved'), T('较上月', 'Since last month')]
          .map((label, column) => h(column >= 2 ? 'th.num' : 'th', { scope: 'col' }, label)))),
      h('tbody', {}, group.units.map((unit) => h('tr', { dataset: { unit: unit.code } },
        h('td.rank', {}, unit.ranked ? String(unit.rank) : '-'),
        h('td.name', {}, unit.name, unit.list === 'red' ? h('span.badge.ok', {}, T(' 红榜', ' top')) : unit.list === 'black' ? h('span.badge.overdue', {}, T(' 黑榜', ' bottom')) : ''),
        h('td.num.base', {}, String(unit.base)),
        h('td.num.reached', {}, String(unit.survey_succeeded)),
        h('td.num.satisfied', {}, String(unit.satisfied)),
        h('td.num.rate', {}, percent(unit.rates.satisfaction)),
        h('td.num.interval', {}, unit.wilson ? `${unit.wilson.low}–${unit.wilson.high}` : '—'),
        h('td.num', {}, percent(unit.rates.resolved)),
        h('td.num.change', {}, change(unit)))))))));
}

// The seven measures of each unit (the workbook's detail sheet), so that
// the on-time, return and reopen rates are on the page too.
const MEASURES = [
  ['survey_success', () => T('调查成功率', 'Survey success')],
  ['satisfaction', () => T('满意率', 'Satisfaction')],
  ['resolved', () => T('解决率', 'Resolved')],
  ['sign_on_time', () => T('按时签收率', 'Signed on time')],
  ['completion_on_time', () => T('按时办结率', 'Completed on time')],
  ['return', () => T('退单率', 'Returned')],
  ['reopen', () => T('重办率', 'Reopened')],
];

function measuresTable(bulletin) {
  const ratio = (value) => (value && value.denominator ? `${value.numerator}/${value.denominator}` : '');
  return h('section.panel#measures', {},
    h('h2', {}, T('各单位七项指标', 'Seven measures per unit')),
    h('div.table-wrap', {}, cardTable(h('table#measures-table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, T('分组', 'Group')), h('th', { scope: 'col' }, t('unit')),
        MEASURES.map(([, label]) => h('th.num', { scope: 'col' }, label())))),
      h('tbody', {}, bulletin.groups.flatMap((group) => group.units.map((unit) => h('tr', { dataset: { unit: unit.code } },
        h('td', {}, group.name), h('td.name', {}, unit.name),
        MEASURES.map(([name]) => h(`td.num.${name.replace(/_/g, '-')}`, { title: ratio(unit.rates[name]) },
          percent(unit.rates[name])))))))))));
}

async function loadCharts() {
  try {
    return await import(ECHARTS);
  } catch {
    return null;
  }
}

function chartBox(id, tall) {
  return h(`div.chart${tall ? '.tall' : ''}`, { id, role: 'img' });
}

function drawCharts(echarts, bulletin, trend, categories, boxes) {
  const charts = [];
  const palette = ['#c62828', '#ef6c00', '#f9a825', '#2e7d32', '#1565c0', '#6a1b9a', '#00838f', '#5d4037'];
  // Each group's ranking on its own, against the month's average
  // satisfaction rate (the notice's 平均满意率, the server's figure).
  const average = bulletin.totals.satisfaction_rate && bulletin.totals.satisfaction_rate.percent != null
    ? Number(bulletin.totals.satisfaction_rate.percent) : null;
  bulletin.groups.forEach((group, index) => {
    const units = group.units.filter((unit) => unit.rates.satisfaction.percent != null)
      .sort((a, b) => Number(a.rates.satisfaction.percent) - Number(b.rates.satisfaction.percent));
    const box = boxes.groups[index];
    if (!units.length) { box.hidden = true; return; }
    box.style.height = `${Math.max(220, units.length * 24 + 100)}px`;
    // The rate as the server printed it ("80.00%"), not as a number would.
    const shown = (index) => percent(units[index].rates.satisfaction);
    const chart = echarts.init(box);
    chart.setOption({
      color: [palette[index % palette.length]],
      title: { text: T(`${group.name}满意率`, `${group.name}: satisfaction`), left: 'center', textStyle: { fontSize: 14 },
        subtext: average === null ? '' : T(`虚线为本月平均满意率 ${average.toFixed(2)}%`, `dashed: the month's average satisfaction rate, ${average.toFixed(2)}%`) },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: (items) => `${items[0].name}: ${shown(items[0].dataIndex)}` },
      grid: { left: 8, right: 64, top: 56, bottom: 8, containLabel: true },
      xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      yAxis: { type: 'category', data: units.map((unit) => unit.name), axisLabel: { fontSize: 12, interval: 0 } },
      series: [{ type: 'bar', name: T('满意率', 'Satisfaction'), data: units.map((unit) => Number(unit.rates.satisfaction.percent)),
        label: { show: true, position: 'right', formatter: (item) => shown(item.dataIndex), fontSize: 11 },
        markLine: average === null ? undefined : { symbol: 'none', silent: true, lineStyle: { color: '#333', type: 'dashed' },
          label: { show: false }, data: [{ xAxis: average }] } }],
    });
    charts.push(chart);
  });
  // Months before the first survey have no rate: the line starts there,
  // and a later month without surveys is a gap, not a zero.
  const first = (trend || []).findIndex((entry) => entry.surveyed > 0);
  trend = first >= 0 ? trend.slice(first) : [];
  const rate = (entry, name) => (entry.surveyed > 0 && entry[name] !== null && entry[name] !== undefined ? Number(entry[name]) : null);
  if (trend.length) {
    const line = echarts.init(boxes.trend);
    line.setOption({
      color: palette,
      title: { text: T('月度趋势', 'Monthly trend'), left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 8, right: 16, top: 40, bottom: 36, containLabel: true },
      xAxis: { type: 'category', data: trend.map((entry) => entry.month) },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series: [
        { type: 'line', name: T('调查成功率', 'Survey success'), data: trend.map((entry) => rate(entry, 'success_rate')), label: { show: true, formatter: '{c}%' } },
        { type: 'line', name: T('满意率', 'Satisfaction'), data: trend.map((entry) => rate(entry, 'satisfaction_rate')), label: { show: true, formatter: '{c}%' } },
      ],
    });
    charts.push(line);
  }
  // Orders by category as sorted bars: every category is named, none
  // hidden in an "other" slice that would outgrow the rest.
  if (categories && categories.length) {
    const sorted = [...categories].filter((entry) => entry.orders > 0).sort((a, b) => a.orders - b.orders);
    boxes.categories.style.height = `${Math.max(220, sorted.length * 20 + 80)}px`;
    const bars = echarts.init(boxes.categories);
    bars.setOption({
      color: [palette[4]],
      title: { text: T('各类诉求工单量', 'Orders by category'), left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 48, top: 40, bottom: 8, containLabel: true },
      // Each bar carries its count: the axis's numbers would only crowd a
      // phone's width.
      xAxis: { type: 'value', axisLabel: { show: false } },
      yAxis: { type: 'category', data: sorted.map((entry) => entry.name), axisLabel: { fontSize: 12, interval: 0 } },
      series: [{ type: 'bar', name: T('工单', 'Orders'), data: sorted.map((entry) => entry.orders),
        label: { show: true, position: 'right', fontSize: 11 } }],
    });
    charts.push(bars);
  }
  const resize = () => charts.forEach((chart) => chart.resize());
  window.addEventListener('resize', resize);
  return () => { window.removeEventListener('resize', resize); charts.forEach((chart) => chart.dispose()); };
}

let disposeCharts = null;

// A published month (docs/security.md, "Published bulletins"): the figures
// above are the published ones; this panel gives the record and, when the
// month's figures changed since, each total published and current.
function publicationPanel(publication) {
  if (!publication) return null;
  const lines = [
    T(`第 ${publication.edition} 版（共 ${publication.editions} 版），${publication.published_by} 于 ${publication.published_at} 公布`,
      `Edition ${publication.edition} (of ${publication.editions}), published by ${publication.published_by} on ${publication.published_at}`),
    T(`依据事件哈希链第 ${publication.chain.seq} 环：${publication.chain.hash}`,
      `Computed at event chain link ${publication.chain.seq}: ${publication.chain.hash}`),
    T(`摘要：${publication.digest}`, `Digest: ${publication.digest}`),
  ];
  // A correction reads as a change: +1, -2, 0.
  const signed = (value) => (value > 0 ? `+${value}` : String(value));
  if (publication.note) lines.push(T(`新版说明：${publication.note}`, `Note of this edition: ${publication.note}`));
  const row = (label, key) => h('tr', {}, h('td', {}, label), h('td', {}, String(publication.published[key])),
    h('td', {}, String(publication.current[key])), h('td', {}, signed(publication.correction[key])));
  return h('section.panel#publication', {},
    h('h2', {}, T('公布记录', 'Publication')),
    lines.map((line) => h('p.muted', {}, line)),
    publication.corrected
      ? h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, T('更正', 'Correction')), h('th', {}, T('公布', 'Published')),
          h('th', {}, T('现行', 'Current')), h('th', {}, T('差', 'Difference')))),
        h('tbody', {}, row(T('确定基数', 'Surveyed'), 'surveyed'), row(T('调查成功', 'Reached'), 'reached'),
          row(T('满意', 'Satisfied'), 'satisfied')))
      : h('p', {}, T('公布后本月数字未变动。', 'The month\'s figures have not changed since publication.')));
}

// The analyst's act of publishing (docs/security.md, "Published
// bulletins"): a month not yet published gets the publish button, which
// asks once more with the figures to be frozen; a published month whose
// figures changed since may get a new edition, whose note is required.
// The server decides (POST /api/v1/reports/{month}/publish); the page
// shows its refusal and, once published, the month again.
function publishPanel(month, bulletin, context) {
  const publication = bulletin.publication;
  if (!(context.user.rights || []).includes('publish_reports')) return null;
  if (publication && !publication.corrected) return null;
  const newEdition = Boolean(publication);
  const note = field({ name: 'note', label: T('说明', 'Note'), required: newEdition,
    hint: newEdition ? T('新版须说明更正的原因。', 'A new edition says why it corrects the last.') : null });
  // What would be frozen: the current figures (of a published month, the
  // totals above are the published ones; the record has the current).
  const now = newEdition ? publication.current
    : { surveyed: bulletin.totals.base, reached: bulletin.totals.survey_succeeded, satisfied: bulletin.totals.satisfied };
  const figures = T(`确定基数 ${now.surveyed}，调查成功 ${now.reached}，满意 ${now.satisfied}`,
    `surveyed ${now.surveyed}, reached ${now.reached}, satisfied ${now.satisfied}`);
  const form = h('form#publish-form', { novalidate: true, hidden: true },
    h('p', {}, T(`将以现行数字公布 ${month} 通报${newEdition ? '新版' : ''}：`, `The ${month} bulletin${newEdition ? '\'s new edition' : ''} will be published with the current figures: `), h('strong', {}, figures)),
    note, formError(),
    h('div.buttons', {},
      h('button.primary#publish-confirm', { type: 'submit' }, T('确认公布', 'Publish')),
      h('button', { type: 'button', onclick: () => { form.hidden = true; start.hidden = false; } }, t('cancel'))));
  const start = h('button.primary#publish-month', { type: 'button', onclick: () => { form.hidden = false; start.hidden = true; note.control.focus(); } },
    newEdition ? T('公布新版', 'Publish a new edition') : T('公布本月通报', 'Publish this month'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = note.control.value.trim();
    if (newEdition && !text) {
      showError(form, { field: 'note', message: T('此项必填', 'This field is required') });
      return;
    }
    await busy(form, async () => {
      try {
        const body = newEdition ? { new_edition: true, note: text } : (text ? { note: text } : {});
        await call('POST', `/reports/${month}/publish`, { body });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        showError(form, error);
        return;
      }
      context.navigate(`#/bulletin/${month}`);
    });
  });
  return h('section.panel.no-print#publish', {},
    h('h2', {}, newEdition ? T('公布新版', 'New edition') : T('公布', 'Publication')),
    h('p.muted', {}, newEdition
      ? T('公布后本月数字已有更正；新版以现行数字公布，旧版仍留存可查。', 'The month\'s figures changed since publication; a new edition publishes the current ones, and the earlier stays on record.')
      : T('本月通报尚未公布，以下为现行数字。公布后，本月数字以公布时为准，之后的变动作为更正列出。',
        'This month is not yet published: the figures below are current. Once published they stay as published, and later changes are listed as corrections.')),
    start, form);
}

export async function render(view, context) {
  if (disposeCharts) { disposeCharts(); disposeCharts = null; }
  const months = await cached('/reports');
  const asked = context.route.parts[1];
  const available = months ? months.months : [];
  const month = /^\d{4}-\d{2}$/.test(asked || '') ? asked : available[available.length - 1];
  // The picker always shows the month shown, one without results too.
  const listed = month && !available.includes(month) ? [...available, month].sort() : available;
  const picker = months
    ? h('select#month', { 'aria-label': T('月份', 'Month'), onchange: (event) => context.navigate(`#/bulletin/${event.target.value}`) },
      [...listed].reverse().map((name) => h('option', { value: name, selected: name === month }, name)))
    : h('input#month', { type: 'month', value: month || '', 'aria-label': T('月份', 'Month'),
      onchange: (event) => event.target.value && context.navigate(`#/bulletin/${event.target.value}`) });
  const header = h('div.buttons.no-print', {}, h('label', { for: 'month' }, T('月份', 'Month')), picker);
  add(view, h('h1', {}, t('bulletin')), months ? null : notice(t('not_available', { route: 'GET /api/v1/reports' })), header);
  if (!month) {
    view.append(h('p.muted', {}, T('还没有任何月份的回访结果。', 'No month has survey results yet.')));
    return;
  }
  let bulletin;
  try {
    bulletin = (await get(`/reports/${month}`, { format: 'json' })).data;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    view.append(h('p.form-error', { role: 'alert' }, errorText(error)));
    return;
  }
  if (!context.isCurrent()) return;
  const link = (format, label, id) => h('a.button', { id, href: url(`/reports/${month}`, { format }),
    download: format === 'xlsx' || format === 'csv' ? `hotline-${month}.${format}` : null,
    target: format === 'html' ? '_blank' : null, rel: 'noopener' }, label);
  header.append(
    link('xlsx', T('下载 XLSX', 'Download XLSX'), 'download-xlsx'),
    link('csv', T('下载 CSV', 'Download CSV'), 'download-csv'),
    link('html', T('可打印页面', 'Printable page'), 'printable'),
    h('button', { type: 'button', onclick: () => window.print() }, T('打印本页', 'Print this page')));
  const totals = bulletin.totals;
  const boxes = { groups: bulletin.groups.map((group, index) => chartBox(`chart-group-${index}`)),
    trend: chartBox('chart-trend'), categories: chartBox('chart-categories') };
  const chartsPanel = h('section.panel#charts', {}, h('h2', {}, T('图表', 'Charts')),
    h('div.grid-2', {}, boxes.groups), h('div.grid-2', {}, boxes.trend, boxes.categories));
  clear(view, h('h1', {}, t('bulletin')), months ? null : notice(t('not_available', { route: 'GET /api/v1/reports' })), header,
    h('section.panel#notice', {},
      h('h2', {}, bulletin.title),
      h('p.muted', {}, `${bulletin.period.from} — ${bulletin.period.to}`),
      h('p.paragraph#paragraph', {}, bulletin.paragraph),
      h('div.cards#totals', {},
        h('div.card', {}, h('div.count', {}, String(totals.base)), h('div.label', {}, T('确定基数', 'Surveyed'))),
        h('div.card', {}, h('div.count', {}, String(totals.survey_succeeded)), h('div.label', {}, `${T('调查成功', 'Reached')} ${percent(totals.survey_success_rate)}`)),
        h('div.card', {}, h('div.count', {}, String(totals.satisfied)), h('div.label', {}, `${T('满意', 'Satisfied')} ${percent(totals.satisfaction_rate)}`)))),
    publicationPanel(bulletin.publication),
    publishPanel(month, bulletin, context),
    bulletin.groups.map(rankingTable),
    measuresTable(bulletin),
    chartsPanel,
    h('section.panel#footnotes', {}, h('h2', {}, T('注释', 'Notes')), h('ol', {}, bulletin.footnotes.map((note) => h('li', {}, note)))));

  const [echarts, trend, categories] = await Promise.all([
    loadCharts(),
    // Every month with results up to this one (at most the ten years one
    // request may ask for).
    get('/reports/trend', { from: trendStart(available, month), to: month }).then((answer) => answer.data).catch((error) => {
      if (error instanceof ApiError && error.missingRoute) { chartsPanel.append(notice(t('not_available', { route: 'GET /api/v1/reports/trend' }))); return null; }
      throw error;
    }),
    get('/stats/categories', { month }).then((answer) => answer.data.categories).catch((error) => {
      if (error instanceof ApiError && error.missingRoute) { chartsPanel.append(notice(t('not_available', { route: 'GET /api/v1/stats/categories' }))); return null; }
      throw error;
    }),
  ]);
  if (!context.isCurrent()) return;
  if (!echarts) {
    chartsPanel.append(notice(T('图表库未安装：请运行 scripts/web-assets.sh。', 'The chart library is not installed: run scripts/web-assets.sh.')));
    return;
  }
  disposeCharts = drawCharts(echarts, bulletin, trend, categories, boxes);
}
