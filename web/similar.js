// similar: the two lists of ECGs that resemble this one. "This patient's priors" (scope
// same-patient) and "Other patients' look-alikes" (scope other-patients), from
// GET /ecg/ecgs/{id}/similar, best first. Filters: which lists, and "before date" (only ECGs
// acquired before that day). Each entry shows the similarity, the date, key measurements and a
// thumbnail of lead II or the first lead the ECG holds (its first 2.5 s, fetched as a small
// excerpt); the details of an entry (its measurements and signal) are fetched only
// while it is on the visible page, so a list of 1,000 stays light. A click compares.
import { api, FIRST_LIST_K } from './api.js';
import { drawThumbnail } from './paper.js';
import { el, date, num, errorBox, note, pager, viewUrl } from './format.js';

const PAGE = 10;
const LISTS = [
  { scope: 'same-patient', title: "This patient's priors", empty: 'No other ECG of this patient matches the filters.' },
  { scope: 'other-patients', title: "Other patients' look-alikes", empty: "No other patient's ECG matches the filters." },
];

function keyMeasurements(ecg) {
  const m = ecg.product_measurements;
  if (!m) return ecg.product_measurements === null ? 'measuring…' : '';
  return `HR ${num(m.heart_rate_bpm)} · PR ${num(m.pr_ms)} · QRS ${num(m.qrs_ms)} · QTc ${num(m.qtc_bazett_ms)}`;
}

let detailsGate = Promise.resolve();
// Entries fetch their details only after `promise` settles (the ECG view's first paint).
export function holdDetailsUntil(promise) { detailsGate = promise.then(() => {}, () => {}); }

function entry(queryId, item) {
  const id = item.orthanc.instance;
  const canvas = el('canvas', { class: 'thumb', width: '160', height: '48', 'aria-label': 'lead II preview' });
  const measures = el('span', { class: 'entry-measures' }, '');
  const link = el('a', { class: 'entry', href: viewUrl({ ecg: queryId, compare: id }), dataset: { instance: id }, title: 'Compare with this ECG' },
    el('span', { class: 'similarity', title: 'cosine similarity of the two ECGs in the model (1 = identical)' }, num(item.similarity, 3)),
    el('span', { class: 'entry-date' }, date(item.acquisition_time_ms)),
    measures, canvas);
  // Details only for the entries shown, and only once the paper and the lists are painted (they
  // would otherwise compete with them for the server, the page's thread and the first frame).
  detailsGate.then(() => {
    api.ecg(id).then((ecg) => { measures.textContent = keyMeasurements(ecg); }).catch(() => { measures.textContent = ''; });
    api.thumbnail(id).then((s) => canvas.setAttribute('aria-label', `lead ${drawThumbnail(canvas, s)} preview`)).catch(() => canvas.classList.add('failed'));
  });
  return el('li', {}, link);
}

async function fillList(box, spec, ecg, filters, prefetched) {
  const body = el('div', { class: 'list-body' }, note('Loading…'));
  box.replaceChildren(el('h2', {}, spec.title), body);
  try {
    const answer = await (prefetched || api.similar(ecg.orthanc.instance, { scope: spec.scope, before: filters.before, k: 100 }));
    const items = answer.similar || [];
    box.dataset.count = String(items.length);
    if (!items.length) { body.replaceChildren(note(spec.empty)); return; }
    const ul = el('ol', { class: 'similar-list' });
    body.replaceChildren(ul, pager(items, PAGE, (page) => ul.replaceChildren(...page.map((it) => entry(ecg.orthanc.instance, it)))));
    box.dataset.loaded = '1';
    if (window.__ecgPage) (window.__ecgPage.marks = window.__ecgPage.marks || {})[`list ${spec.scope}`] = Math.round(performance.now());
  } catch (e) {
    box.dataset.count = '0';
    box.dataset.error = e.noModel ? 'no-model' : (e.code || String(e.status));
    body.replaceChildren(errorBox(e));
  }
}

// The first answers of both lists (default filters), asked for as early as possible.
export function prefetchSimilar(id) {
  const answers = Object.fromEntries(LISTS.map(({ scope }) => [scope, api.similar(id, { scope, k: FIRST_LIST_K })]));
  for (const p of Object.values(answers)) p.catch(() => {});  // handled when used
  return answers;
}

// Renders the panel into host; resolves once both lists show something (items or words).
// prefetched: prefetchSimilar(id) for the first fill, or nothing.
export async function similarPanel(host, ecg, prefetched = {}) {
  const filters = { before: '', show: 'both' };
  const lists = LISTS.map((spec) => ({ spec, box: el('div', { class: 'similar-box', dataset: { scope: spec.scope } }) }));
  let first = prefetched;
  const refresh = () => Promise.all(lists.map(({ spec, box }) => {
    box.hidden = !(filters.show === 'both' || filters.show === spec.scope);
    const answer = first[spec.scope];
    return box.hidden ? null : fillList(box, spec, ecg, filters, answer);
  })).finally(() => { first = {}; });
  const form = el('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); refresh(); } },
    el('label', {}, 'Show ', el('select', { name: 'scope', onchange: (e) => { filters.show = e.target.value; refresh(); } },
      el('option', { value: 'both' }, 'priors and look-alikes'),
      el('option', { value: 'same-patient' }, "this patient's priors"),
      el('option', { value: 'other-patients' }, "other patients' look-alikes"))),
    el('label', {}, ' acquired before ', el('input', { type: 'date', name: 'before', onchange: (e) => { filters.before = e.target.value; refresh(); } })));
  host.replaceChildren(el('section', { class: 'panel similar-panel' }, el('h2', { class: 'panel-title' }, 'Similar ECGs'), form,
    el('div', { class: 'similar-lists' }, lists.map((l) => l.box))));
  await refresh();
}

// The identity warning: shown only when the check says this ECG looks more like other
// patients' ECGs than like its own patient's (a possible wrong-patient filing).
export async function identityWarning(host, ecg, prefetched = null) {
  try {
    const check = await (prefetched || api.identity(ecg.orthanc.instance));
    host.dataset.identity = check.suspicious === true ? 'suspicious' : check.suspicious === false ? 'consistent' : 'unknown';
    if (check.suspicious !== true) return;
    host.replaceChildren(el('div', { class: 'message warning identity', role: 'alert' },
      el('b', {}, 'Check the patient identity. '),
      `This ECG resembles other patients' ECGs more than this patient's own (score ${num(check.score, 2)}; `,
      `best match among the patient's ${check.same_patient_count} other ECGs ${num(check.best_same_patient_similarity, 3)}, `,
      `other patients ${num(check.population_mean_similarity, 3)} ± ${num(check.population_std_similarity, 3)}). `,
      'It may have been filed under the wrong patient, or the heart changed a lot. Confirm before relying on the comparison.'));
    host.hidden = false;
  } catch (e) {
    host.dataset.identity = e.noModel ? 'no-model' : 'error';
  }
}
