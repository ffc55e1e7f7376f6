// measurements: the product's measurements beside the device's, one row per quantity. The
// product's come from GET /ecg/ecgs/{id} "product_measurements" (null while still being
// measured; a null value carries its reason); the device's are the "measurements" list the file
// brought, matched to a row by their name, the rest listed below the table.
import { el, num } from './format.js';

export const FIELDS = [
  { key: 'heart_rate_bpm', label: 'Heart rate', unit: 'bpm', match: /(heart|ventricular) rate|^hr$/i },
  { key: 'rr_ms', label: 'RR interval', unit: 'ms', match: /\brr\b/i },
  { key: 'p_ms', label: 'P duration', unit: 'ms', match: /^p (wave )?duration|p duration/i },
  { key: 'pr_ms', label: 'PR interval', unit: 'ms', match: /\b(pr|pq) interval/i },
  { key: 'qrs_ms', label: 'QRS duration', unit: 'ms', match: /qrs (complex )?duration/i },
  { key: 'qt_ms', label: 'QT interval', unit: 'ms', match: /^qt\b(?!c)|\bqt interval/i },
  { key: 'qtc_bazett_ms', label: 'QTc (Bazett)', unit: 'ms', match: /qtc|corrected qt/i },
  { key: 'qtc_fridericia_ms', label: 'QTc (Fridericia)', unit: 'ms', match: null },
  { key: 'p_axis_deg', label: 'P axis', unit: '°', match: /\bp axis/i },
  { key: 'qrs_axis_deg', label: 'QRS axis', unit: '°', match: /\b(qrs|r) axis/i },
  { key: 't_axis_deg', label: 'T axis', unit: '°', match: /\bt axis/i },
];

const GOOD_FLAGS = new Set(['p_wave_consistent']);

// The device value for a field (first match), marking used entries.
function deviceValue(field, device, used) {
  if (!field.match) return null;
  const i = device.findIndex((m, j) => !used.has(j) && field.match.test(m.name || ''));
  if (i < 0) return null;
  used.add(i);
  return device[i];
}

export function measurementsTable(ecg) {
  const product = ecg.product_measurements;
  const device = Array.isArray(ecg.measurements) ? ecg.measurements : [];
  const used = new Set();
  const reasons = (product && product.reasons) || {};
  const rows = FIELDS.map((f) => {
    const mine = product ? product[f.key] : undefined;
    const theirs = deviceValue(f, device, used);
    const mineCell = product === undefined ? el('td', { class: 'na', title: 'this server does not measure yet' }, 'n/a')
      : product === null ? el('td', { class: 'pending' }, 'pending')
      : mine === null || mine === undefined ? el('td', { class: 'none', title: reasons[f.key] || '' }, '—', reasons[f.key] ? el('small', {}, ` ${reasons[f.key]}`) : '')
      : el('td', { class: 'value' }, num(mine));
    const theirsCell = theirs ? el('td', { class: 'value', title: theirs.name }, `${num(theirs.value)}${theirs.unit && theirs.unit !== f.unit ? ' ' + theirs.unit : ''}`) : el('td', { class: 'none' }, '—');
    return el('tr', { dataset: { field: f.key } }, el('th', { scope: 'row' }, f.label, el('span', { class: 'unit' }, ` ${f.unit}`)), mineCell, theirsCell);
  });
  const extra = device.filter((_, i) => !used.has(i));
  const table = el('table', { class: 'measurements' },
    el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', {}, 'This product'), el('th', {}, 'Device'))),
    el('tbody', {}, rows,
      el('tr', {}, el('th', { scope: 'row' }, 'Rhythm'), el('td', {}, product && product.rhythm ? product.rhythm : '—'), el('td', {}, '—'))));
  const parts = [el('h2', {}, 'Measurements'), table];
  if (product && product.quality && typeof product.quality === 'object') {
    // Numbers as they are; true flags named, problems (flat, noisy, irregular RR, low sample
    // rate, pacing spikes) in red, good news (P wave consistent) plain; false flags left out.
    const entries = Object.entries(product.quality);
    const name = (k) => k.replace(/_/g, ' ').replace(/\brr\b/, 'RR');
    const values = entries.filter(([, v]) => typeof v === 'number' || typeof v === 'string')
      .map(([k, v]) => `${name(k)} ${typeof v === 'number' ? num(v, Number.isInteger(v) ? 0 : 2) : v}`);
    const good = entries.filter(([k, v]) => v === true && GOOD_FLAGS.has(k)).map(([k]) => name(k));
    const flags = entries.filter(([k, v]) => v === true && !GOOD_FLAGS.has(k)).map(([k]) => name(k));
    parts.push(el('p', { class: 'quality' }, 'Signal quality: ', [...values, ...good].join(' · '),
      flags.length ? el('span', { class: 'flags' }, ` · flagged: ${flags.join(', ')}`) : ''));
  }
  if (product === undefined) parts.push(el('p', { class: 'message' }, "This server's plugin does not measure ECGs yet: only the device's values are shown."));
  if (extra.length) {
    parts.push(el('h3', {}, 'Other device measurements'),
      el('ul', { class: 'device-extra' }, extra.map((m) => el('li', {}, `${m.name || m.code}: ${num(m.value, Number.isInteger(m.value) ? 0 : 2)} ${m.unit || ''}`))));
  }
  if (Array.isArray(ecg.statements) && ecg.statements.length) {
    parts.push(el('h3', {}, "Device's statements"), el('ul', { class: 'statements' }, ecg.statements.map((s) => el('li', {}, s))));
  }
  return el('section', { class: 'panel measurements-panel' }, parts);
}
