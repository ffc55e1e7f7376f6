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
  let viewPainted;  // releases the list entries' details (see the end)
  holdDetailsUntil(new Promise((resolve) => { viewPainted = resolve; }));
  const similarDone = similarPanel(similarHost, ecg, similarPromises);
  identityWarning(identity, ecg, identityPromise);
  const settings = loadSettings();
  let paper = null, calipers = null;
  const bar = el('div', { class: 'toolbar-host' });
  const headerHost = el('div', { class: 'header-host' });
  root.replaceChildren(headerHost, identity, bar, paperHost, el('div', { class: 'columns' }, side, similarHost));
  side.replaceChildren(measurementsTable(ecg));
  const headerShown = headerPromise.then((header) => { headerHost.replaceChildren(header); mark('header'); });
  const signalSettled = signalPromise.then(() => mark('signal'), () => {});
  // The lists and the header usually arrive with the signal: they are put on the page before the
  // paper is drawn, so that one frame shows them all (the paper's frame is the costly one, and a
  // second frame for the lists would wait behind it). A list slower than 200 ms after the signal
  // does not hold the paper back.
  await signalSettled;
  await Promise.race([Promise.allSettled([similarDone, headerShown]), new Promise((r) => setTimeout(r, 200))]);
  try {
    const signal = await signalPromise;
    paper = new Paper(paperHost);
    calipers = attachCalipers(paper, readout);
    paper.render(signal, settings);
    mark('paper drawn');
    bar.replaceChildren(toolbar(settings, (s) => { paper.render(signal, s); calipers.redraw(); }, calipers.button, readout, compareLink));
  } catch (e) {
    paperHost.replaceChildren(errorBox(e));
  }
  await headerShown;
  await similarDone;
  mark('lists');
  // The list entries' details (measurements, thumbnails: two requests each) wait until the paper
  // and the lists have been painted, so that they do not delay that first frame.
  requestAnimationFrame(() => setTimeout(viewPainted, 0));
}
