// ecg_view: one ECG (?ecg={orthancInstanceId}): header, identity warning, paper with its
// settings and calipers, the measurements, and the similar lists. Resolves once the paper and
// both lists are on screen (the page's "first paint", measured by app.js).
import { api } from './api.js';
import { Paper } from './paper.js';
import { toolbar, loadSettings } from './controls.js';
import { attachCalipers } from './calipers.js';
import { measurementsTable } from './measurements.js';
import { ecgHeader } from './header.js';
import { similarPanel, identityWarning, prefetchSimilar, holdDetailsUntil } from './similar.js';
import { el, errorBox, viewUrl } from './format.js';

// Milestones of the first paint, for tests and the curious (window.__ecgPage.marks, ms).
function mark(name) {
  (window.__ecgPage.marks = window.__ecgPage.marks || {})[name] = Math.round(performance.now());
}

export async function ecgView(root, id) {
  // Everything that needs only the ID is asked for at once, in parallel.
  const ecgPromise = api.ecg(id);
  const signalPromise = api.signal(id);
  const similarPromises = prefetchSimilar(id);
  const identityPromise = api.identity(id);
  const patientPromise = api.orthancPatientOfInstance(id);
  for (const p of [identityPromise, patientPromise]) p.catch(() => {});  // handled when used
  let ecg;
  try {
    ecg = await ecgPromise;
    mark('ECG metadata');
  } catch (e) {
    signalPromise.catch(() => {});
    root.replaceChildren(errorBox(e, 'page-error'));
    return;
  }
  document.title = `ECG ${ecg.acquisition_time ? ecg.acquisition_time.slice(0, 10) : ''}`;
  const identity = el('div', { class: 'identity-host', hidden: true });
  const paperHost = el('div', { class: 'paper-host' });
  const readout = el('span', { class: 'caliper-readout', 'aria-live': 'polite' });
  const side = el('div', { class: 'side' });
  const similarHost = el('div', { class: 'similar-host' }, el('section', { class: 'panel' }, 'Loading similar ECGs…'));
  const compareLink = el('a', { class: 'button', href: viewUrl({ ecg: id, compare: 'previous' }) }, 'Compare with previous');
  const headerPromise = ecgHeader(ecg, patientPromise);
  let paperDone;
  holdDetailsUntil(new Promise((resolve) => { paperDone = resolve; }));
  const similarDone = similarPanel(similarHost, ecg, similarPromises);
  identityWarning(identity, ecg, identityPromise);
  const settings = loadSettings();
  let paper = null, calipers = null;
  const bar = el('div', { class: 'toolbar-host' });
  root.replaceChildren(el('div', { class: 'header-host' }), identity, bar, paperHost, el('div', { class: 'columns' }, side, similarHost));
  try {
    const signal = await signalPromise;
    mark('signal');
    paper = new Paper(paperHost);
    calipers = attachCalipers(paper, readout);
    paper.render(signal, settings);
    mark('paper drawn');
    bar.replaceChildren(toolbar(settings, (s) => { paper.render(signal, s); calipers.redraw(); }, calipers.button, readout, compareLink));
  } catch (e) {
    paperHost.replaceChildren(errorBox(e));
  }
  paperDone();
  side.replaceChildren(measurementsTable(ecg));
  root.querySelector('.header-host').replaceChildren(await headerPromise);
  mark('header');
  await similarDone;
  mark('lists');
}
