// course: a patient's ECGs over time (?patient={orthancPatientId}) from
// GET /ecg/patients/{id}/timeline, read page by page (100 per request). One plot per quantity
// (heart rate, PR, QRS, QTc, and the change percentile against the previous ECG) on a shared
// time axis; a point opens its ECG; ECGs with serial-comparison statements are marked by an
// orange line through every plot and listed in the table; a possible wrong-patient ECG (identity
// flag) is ringed in red. The table below is paged (25 rows), so 200 ECGs stay readable.
import { api } from './api.js';
import { patientLine } from './header.js';
import { el, errorBox, note, num, dateTime, pager, viewUrl } from './format.js';

const PAGE_LIMIT = 100;
const MAX_ECGS = 5000;
const METRICS = [
  { key: 'heart_rate_bpm', label: 'Heart rate', unit: 'bpm', get: (e) => e.product_measurements && e.product_measurements.heart_rate_bpm },
  { key: 'pr_ms', label: 'PR', unit: 'ms', get: (e) => e.product_measurements && e.product_measurements.pr_ms },
  { key: 'qrs_ms', label: 'QRS', unit: 'ms', get: (e) => e.product_measurements && e.product_measurements.qrs_ms },
  { key: 'qtc_bazett_ms', label: 'QTc (Bazett)', unit: 'ms', get: (e) => e.product_measurements && e.product_measurements.qtc_bazett_ms },
  { key: 'change', label: 'Change percentile', unit: '', get: (e) => changePercentile(e), range: [0, 100],
    why: (ecgs) => { const c = ecgs.map((e) => e.comparison).find((x) => x && (x.reason || (x.change && x.change.reason))); return c ? c.reason || c.change.reason : ''; } },
];

// The comparison with the previous ECG carries the percentile either flat ({"percentile"}) or as
// the compare route does ({"change": {"percentile"}}).
function changePercentile(e) {
  const c = e.comparison;
  if (!c) return null;
  return c.change ? c.change.percentile : c.percentile;
}
const PLOT_H = 90, GAP = 26, LEFT = 64, RIGHT = 44, TOP = 36, AXIS = 26;

async function loadTimeline(patient) {
  const first = await api.timeline(patient, { limit: PAGE_LIMIT, offset: 0 });
  const ecgs = [...first.ecgs];
  while (ecgs.length < Math.min(first.total, MAX_ECGS)) {
    const page = await api.timeline(patient, { limit: PAGE_LIMIT, offset: ecgs.length });
    if (!page.ecgs.length) break;
    ecgs.push(...page.ecgs);
  }
  return { total: first.total, ecgs };
}

// The older route (no measurements over time), when the server has no timeline yet.
async function loadFallback(patient) {
  const answer = await api.patientEcgs(patient);
  return { total: answer.ecgs.length, fallback: true, ecgs: answer.ecgs.map((r) => ({
    instance: r.orthanc.instance, acquisition_time_ms: r.acquisition_time_ms, acquisition_time: r.acquisition_time,
    product_measurements: r.product_measurements, comparison: null, identity: null })) };
}

const hasStatements = (e) => !!(e.comparison && e.comparison.statements && e.comparison.statements.length);

function drawPlots(canvas, ecgs, tooltip) {
  const dpr = window.devicePixelRatio || 1;
  const width = Math.max(480, canvas.parentElement.clientWidth || 900);
  const height = TOP + METRICS.length * (PLOT_H + GAP) + AXIS;
  canvas.style.width = `${width}px`; canvas.style.height = `${height}px`;
  canvas.width = Math.round(width * dpr); canvas.height = Math.round(height * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const timed = ecgs.filter((e) => e.acquisition_time_ms != null);
  const points = [];
  if (!timed.length) return points;
  let t0 = Math.min(...timed.map((e) => e.acquisition_time_ms)), t1 = Math.max(...timed.map((e) => e.acquisition_time_ms));
  if (t1 - t0 < 86400000) { t0 -= 43200000; t1 += 43200000; }
  const x = (t) => LEFT + ((t - t0) / (t1 - t0)) * (width - LEFT - RIGHT);
  ctx.font = '12px sans-serif';
  // Statement markers through every plot.
  for (const e of timed.filter(hasStatements)) {
    ctx.strokeStyle = '#e08a00'; ctx.setLineDash([4, 3]); ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(x(e.acquisition_time_ms), TOP - 18); ctx.lineTo(x(e.acquisition_time_ms), height - AXIS); ctx.stroke();
    ctx.setLineDash([]); ctx.fillStyle = '#e08a00';
    ctx.beginPath(); const cx = x(e.acquisition_time_ms);
    ctx.moveTo(cx - 5, TOP - 30); ctx.lineTo(cx + 5, TOP - 30); ctx.lineTo(cx, TOP - 22); ctx.fill();
  }
  METRICS.forEach((m, i) => {
    const top = TOP + i * (PLOT_H + GAP);
    const values = timed.map((e) => ({ e, v: m.get(e) })).filter((p) => p.v != null && Number.isFinite(p.v));
    ctx.strokeStyle = '#ccc'; ctx.lineWidth = 1; ctx.strokeRect(LEFT, top, width - LEFT - RIGHT, PLOT_H);
    ctx.fillStyle = '#333'; ctx.textAlign = 'left';
    ctx.font = 'bold 12px sans-serif';
    ctx.fillText(`${m.label}${m.unit ? ` (${m.unit})` : ''}`, LEFT, top - 5);
    ctx.font = '12px sans-serif'; ctx.textAlign = 'right';
    if (!values.length) { ctx.textAlign = 'left'; ctx.fillStyle = '#888'; ctx.fillText(`no values${m.why && m.why(timed) ? ` (${m.why(timed)})` : ''}`, LEFT + 8, top + PLOT_H / 2); return; }
    let lo = m.range ? m.range[0] : Math.min(...values.map((p) => p.v)), hi = m.range ? m.range[1] : Math.max(...values.map((p) => p.v));
    if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
    const pad = m.range ? 0 : (hi - lo) * 0.1;
    lo -= pad; hi += pad;
    const y = (v) => top + PLOT_H - ((v - lo) / (hi - lo)) * PLOT_H;
    ctx.fillStyle = '#666'; ctx.fillText(num(hi, hi - lo < 10 ? 1 : 0), LEFT - 6, top + 11); ctx.fillText(num(lo, hi - lo < 10 ? 1 : 0), LEFT - 6, top + PLOT_H - 2);
    ctx.strokeStyle = '#3a6fb0'; ctx.lineWidth = 1.5; ctx.beginPath();
    values.forEach((p, j) => { const px = x(p.e.acquisition_time_ms), py = y(p.v); if (j) ctx.lineTo(px, py); else ctx.moveTo(px, py); });
    ctx.stroke();
    for (const p of values) {
      const px = x(p.e.acquisition_time_ms), py = y(p.v);
      ctx.fillStyle = hasStatements(p.e) ? '#e08a00' : '#1c4f8f';
      ctx.beginPath(); ctx.arc(px, py, 3.5, 0, 2 * Math.PI); ctx.fill();
      if (p.e.identity && p.e.identity.suspicious) { ctx.strokeStyle = '#c00'; ctx.lineWidth = 2; ctx.beginPath(); ctx.arc(px, py, 7, 0, 2 * Math.PI); ctx.stroke(); ctx.strokeStyle = '#3a6fb0'; ctx.lineWidth = 1.5; }
      points.push({ x: px, y: py, e: p.e, text: `${dateTime(p.e.acquisition_time_ms)} · ${m.label} ${num(p.v)} ${m.unit}` });
    }
  });
  // Time axis.
  ctx.fillStyle = '#333'; ctx.textAlign = 'center';
  const ticks = Math.max(2, Math.min(8, Math.floor((width - LEFT - RIGHT) / 110)));
  for (let k = 0; k <= ticks; k++) {
    const t = t0 + ((t1 - t0) * k) / ticks;
    ctx.fillText(new Date(t).toISOString().slice(0, 10), x(t), height - 8);
  }
  canvas.dataset.points = String(points.length);
  return points;
}

export async function courseView(root, patient) {
  const header = el('header', { class: 'ecg-header' }, await patientLine(api.orthancPatient(patient)));
  root.replaceChildren(header, el('h1', { class: 'view-title' }, "The patient's course"), note('Loading the ECGs…'));
  let data;
  try {
    data = await loadTimeline(patient);
  } catch (e) {
    if (!e.routeMissing) { root.replaceChildren(header, errorBox(e, 'page-error')); return; }
    try { data = await loadFallback(patient); } catch (e2) { root.replaceChildren(header, errorBox(e2, 'page-error')); return; }
  }
  const ecgs = data.ecgs;
  const canvas = el('canvas', { class: 'course-plot', 'aria-label': 'measurements over time' });
  const tooltip = el('div', { class: 'tooltip', hidden: true });
  const plotBox = el('div', { class: 'course-plot-box' }, canvas, tooltip);
  const tableBody = el('tbody', {});
  const table = el('table', { class: 'course-table' },
    el('thead', {}, el('tr', {}, ['Acquired', 'HR', 'PR', 'QRS', 'QTc', 'Change pct.', 'Statements', ''].map((h) => el('th', {}, h)))), tableBody);
  const rows = [...ecgs].reverse();  // newest first
  const renderRows = (page) => tableBody.replaceChildren(...page.map((e) => {
    const m = e.product_measurements || {};
    const statements = hasStatements(e) ? e.comparison.statements.map((s) => s.text).join('; ') : '';
    return el('tr', { class: hasStatements(e) ? 'has-statements' : '' },
      el('td', {}, el('a', { href: viewUrl({ ecg: e.instance }) }, dateTime(e.acquisition_time_ms))),
      el('td', {}, num(m.heart_rate_bpm)), el('td', {}, num(m.pr_ms)), el('td', {}, num(m.qrs_ms)), el('td', {}, num(m.qtc_bazett_ms)),
      el('td', {}, num(changePercentile(e))),
      el('td', { class: 'statements-cell' }, statements),
      el('td', {}, e.identity && e.identity.suspicious ? el('span', { class: 'flag', title: 'resembles other patients more than this one' }, 'identity?') : ''));
  }));
  root.replaceChildren(header, el('h1', { class: 'view-title' }, `The patient's course: ${data.total} ECG${data.total === 1 ? '' : 's'}`),
    data.fallback ? note("This server's plugin has no timeline route yet: the ECGs are listed without measurements over time.") : '',
    data.total > ecgs.length ? note(`Showing the first ${ecgs.length} of ${data.total} ECGs.`) : '',
    el('p', { class: 'legend' }, 'Click a point to open that ECG. ', el('span', { class: 'legend-statement' }, 'Orange'), ': the comparison with the previous ECG made statements. ',
      el('span', { class: 'legend-identity' }, 'Red ring'), ': possible wrong-patient ECG.'),
    plotBox, el('section', { class: 'panel' }, el('h2', {}, 'All ECGs, newest first'), table, pager(rows, 25, renderRows)));
  let points = drawPlots(canvas, ecgs, tooltip);
  const nearest = (ev) => {
    const r = canvas.getBoundingClientRect();
    const mx = ev.clientX - r.left, my = ev.clientY - r.top;
    let best = null, bestD = 100;
    for (const p of points) { const d = (p.x - mx) ** 2 + (p.y - my) ** 2; if (d < bestD) { bestD = d; best = p; } }
    return best;
  };
  canvas.addEventListener('mousemove', (ev) => {
    const p = nearest(ev);
    canvas.style.cursor = p ? 'pointer' : 'default';
    tooltip.hidden = !p;
    if (p) {
      const s = hasStatements(p.e) ? ` — ${p.e.comparison.statements.map((x) => x.text).join('; ')}` : '';
      tooltip.textContent = p.text + s;
      tooltip.style.left = `${p.x + 10}px`; tooltip.style.top = `${p.y + 10}px`;
    }
  });
  canvas.addEventListener('click', (ev) => { const p = nearest(ev); if (p) location.href = viewUrl({ ecg: p.e.instance }); });
  window.addEventListener('resize', () => { points = drawPlots(canvas, ecgs, tooltip); });
}
