// app: the router of the clinician's page. ?ecg={orthancInstanceId} opens one ECG,
// &compare={orthancInstanceId}|previous|first compares it, ?patient={orthancPatientId} opens the
// patient's course. URLs carry Orthanc IDs only. The time from navigation to the first complete
// view (paper and lists on screen) is kept in window.__ecgPage.firstPaintMs (tests, bench).
// Each view's module is loaded when its route is taken (the ECG view's are preloaded by
// index.html; compare and course load on demand). For one ECG, what its first paint needs is asked
// for (api.js askEarly) before the view's modules have loaded: app.js itself needs only api.js
// and format.js, so it runs early; the view then takes those answers instead of asking again.
import { askEarly, firstPaintPaths } from './api.js';
import { el, note } from './format.js';

const ORTHANC_ID = /^[0-9a-f]{8}(-[0-9a-f]{8}){4}$/;

async function route(root, params) {
  const ecg = params.get('ecg'), patient = params.get('patient'), compare = params.get('compare');
  if (ecg && !ORTHANC_ID.test(ecg)) return root.replaceChildren(note('The ECG in the address is not an Orthanc instance ID.', 'error'));
  if (patient && !ORTHANC_ID.test(patient)) return root.replaceChildren(note('The patient in the address is not an Orthanc patient ID.', 'error'));
  if (ecg && compare) return (await import('./compare.js')).compareView(root, ecg, compare, params.get('mode') === 'overlay' ? 'overlay' : 'beside');
  if (ecg) {
    askEarly(firstPaintPaths(ecg));
    return (await import('./ecg_view.js')).ecgView(root, ecg);
  }
  if (patient) return (await import('./course.js')).courseView(root, patient);
  root.replaceChildren(el('section', { class: 'panel' }, el('h1', {}, 'ECG'),
    el('p', {}, 'Open an ECG from Orthanc Explorer (the "ECG" button on a patient, study, series or instance), or with ?ecg={Orthanc instance ID} or ?patient={Orthanc patient ID} in the address.')));
}

window.__ecgPage = { ready: false };
const root = document.getElementById('app');
route(root, new URLSearchParams(location.search)).catch((e) => {
  root.append(note(`The page failed: ${e.message}`, 'error'));
  console.error(e);
}).finally(() => {
  requestAnimationFrame(() => {
    window.__ecgPage.firstPaintMs = performance.now();
    window.__ecgPage.ready = true;
    document.body.dataset.ready = '1';
  });
});
