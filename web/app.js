// app: the router of the clinician's page. ?ecg={orthancInstanceId} opens one ECG,
// &compare={orthancInstanceId}|previous|first compares it, ?patient={orthancPatientId} opens the
// patient's course. URLs carry Orthanc IDs only. The time from navigation to the first complete
// view (paper and lists on screen) is kept in window.__ecgPage.firstPaintMs (tests, bench).
import { ecgView } from './ecg_view.js';
import { compareView } from './compare.js';
import { courseView } from './course.js';
import { el, note } from './format.js';

const ORTHANC_ID = /^[0-9a-f]{8}(-[0-9a-f]{8}){4}$/;

async function route(root, params) {
  const ecg = params.get('ecg'), patient = params.get('patient'), compare = params.get('compare');
  if (ecg && !ORTHANC_ID.test(ecg)) return root.replaceChildren(note('The ECG in the address is not an Orthanc instance ID.', 'error'));
  if (patient && !ORTHANC_ID.test(patient)) return root.replaceChildren(note('The patient in the address is not an Orthanc patient ID.', 'error'));
  if (ecg && compare) return compareView(root, ecg, compare, params.get('mode') === 'overlay' ? 'overlay' : 'beside');
  if (ecg) return ecgView(root, ecg);
  if (patient) return courseView(root, patient);
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
