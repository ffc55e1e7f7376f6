// compare: this ECG against another (?ecg={id}&compare={id}|previous|first). Beside: the two
// papers one above the other at the same scale. Overlaid: one paper, the other ECG in blue,
// shifted in time so that its first clear R wave (lead II) falls on this one's. Below: the
// serial comparison of GET /ecg/ecgs/{id}/compare: measurement differences, the statements and
// the change percentile.
import { api } from './api.js';
import { Paper } from './paper.js';
import { toolbar, loadSettings } from './controls.js';
import { ecgHeader } from './header.js';
import { el, errorBox, note, num, dateTime, viewUrl } from './format.js';

const LABELS = {
  heart_rate_bpm: ['Heart rate', 'bpm'], rr_ms: ['RR', 'ms'], p_ms: ['P duration', 'ms'], pr_ms: ['PR', 'ms'],
  qrs_ms: ['QRS', 'ms'], qt_ms: ['QT', 'ms'], qtc_bazett_ms: ['QTc Bazett', 'ms'], qtc_fridericia_ms: ['QTc Fridericia', 'ms'],
  p_axis_deg: ['P axis', '°'], qrs_axis_deg: ['QRS axis', '°'], t_axis_deg: ['T axis', '°'],
};

// The time (s) of the first clear R wave in lead II (else the largest lead): the first local
// maximum of |x - median| above 60 % of the largest, after 0.2 s.
export function firstRWave_s(signal) {
  const pick = signal.leads.find((l) => l.name === 'II' && l.status !== 'missing') || signal.leads.find((l) => l.status !== 'missing');
  if (!pick) return 0;
  const x = pick.samples, n = x.length, rate = signal.rate_hz;
  const sorted = Int16Array.from(x).sort();
  const median = sorted[n >> 1] || 0;
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(x[i] - median));
  const threshold = 0.6 * peak;
  const start = Math.round(0.2 * rate), window = Math.round(0.05 * rate);
  for (let i = start; i < n; i++) {
    const v = Math.abs(x[i] - median);
    if (v < threshold) continue;
    let best = i;
    for (let j = i; j < Math.min(n, i + window); j++) if (Math.abs(x[j] - median) > Math.abs(x[best] - median)) best = j;
    return best / rate;
  }
  return 0;
}

function comparisonPanel(result) {
  const rows = Object.entries(result.differences || {}).map(([field, d]) => {
    const [label, unit] = LABELS[field] || [field, ''];
    return el('tr', { dataset: { field } }, el('th', { scope: 'row' }, label, el('span', { class: 'unit' }, ` ${unit}`)),
      el('td', {}, num(d.from)), el('td', {}, num(d.to)), el('td', { class: 'delta' }, d.delta == null ? '—' : `${d.delta > 0 ? '+' : ''}${num(d.delta)}`));
  });
  const change = result.change || {};
  const statements = result.statements || [];
  return el('section', { class: 'panel comparison' },
    el('h2', {}, 'What changed'),
    el('p', { class: 'change' }, el('b', {}, 'Change percentile: '),
      change.percentile == null ? `not available${change.reason ? ` (${change.reason})` : ''}`
        : `${num(change.percentile)} — the two ECGs differ more than ${num(change.percentile)} % of this archive's ${change.pairs} same-patient ECG pairs with a similar time gap`),
    statements.length
      ? el('ul', { class: 'statements compare-statements' }, statements.map((s) => el('li', { dataset: { code: s.code || '' } }, s.text,
        // The values, unless the statement already says them.
        s.measurement && !(s.text || '').includes(num(s.to)) ? el('small', {}, ` (${(LABELS[s.measurement] || [s.measurement])[0]} ${num(s.from)} → ${num(s.to)})`) : '')))
      : note('No serial-comparison statement: no measured difference passed its threshold.'),
    rows.length ? el('table', { class: 'measurements differences' },
      el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', {}, 'Other ECG'), el('th', {}, 'This ECG'), el('th', {}, 'Difference'))),
      el('tbody', {}, rows)) : '');
}

export async function compareView(root, id, withWhat, mode = 'beside') {
  let ecg, result = null, compareError = null;
  try {
    ecg = await api.ecg(id);
  } catch (e) { root.replaceChildren(errorBox(e, 'page-error')); return; }
  try {
    result = await api.compare(id, withWhat);
  } catch (e) { compareError = e; }
  // The other ECG: from the comparison's answer, else the ID in the URL.
  const otherId = result ? result.with.instance : (/^[0-9a-f-]{44}$/.test(withWhat) ? withWhat : null);
  const header = await ecgHeader(ecg);
  const papers = el('div', { class: 'compare-papers' });
  const bottom = el('div', {});
  const modeSelect = el('label', { class: 'control' }, 'View ', el('select', { name: 'mode', onchange: (e) => { mode = e.target.value; draw(); } },
    el('option', { value: 'beside', selected: mode === 'beside' }, 'beside'),
    el('option', { value: 'overlay', selected: mode === 'overlay' }, 'overlaid on the R wave')));
  const settings = loadSettings();
  const bar = el('div', { class: 'toolbar-host' });
  root.replaceChildren(header, el('h1', { class: 'view-title' }, 'Comparison ', el('a', { href: viewUrl({ ecg: id }) }, '(back to this ECG)')), bar, papers, bottom);
  bottom.replaceChildren(compareError ? errorBox(compareError) : comparisonPanel(result));
  if (!otherId) { papers.replaceChildren(note('There is no other ECG to compare with.')); return; }
  let signals, other;
  try {
    [signals, other] = await Promise.all([Promise.all([api.signal(id), api.signal(otherId)]), api.ecg(otherId)]);
  } catch (e) { papers.replaceChildren(errorBox(e)); return; }
  const shift_s = firstRWave_s(signals[0]) - firstRWave_s(signals[1]);
  const captionA = `This ECG, ${dateTime(ecg.acquisition_time_ms)}`;
  const captionB = `${other.orthanc.patient === ecg.orthanc.patient ? 'the same patient' : 'another patient'}, ${dateTime(other.acquisition_time_ms)}`;
  function draw() {
    papers.replaceChildren();
    papers.dataset.mode = mode;
    if (mode === 'overlay') {
      const p = new Paper(papers, { caption: `${captionA} (black); ${captionB} (blue), shifted ${num(shift_s * 1000)} ms to align the R waves` });
      p.render(signals[0], settings, { signal: signals[1], shift_s });
    } else {
      new Paper(papers, { caption: captionA }).render(signals[0], settings);
      new Paper(papers, { caption: `Other ECG: ${captionB}` }).render(signals[1], settings);
    }
  }
  bar.replaceChildren(toolbar(settings, draw, modeSelect,
    el('a', { class: 'button', href: viewUrl({ ecg: otherId }) }, 'Open the other ECG')));
  draw();
}
