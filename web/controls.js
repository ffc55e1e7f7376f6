// controls: the paper settings toolbar (speed, gain, layout), shared by the ECG and compare
// views. Settings are kept in this browser (localStorage) so that a chosen speed stays chosen;
// a fresh browser starts at 25 mm/s, 10 mm/mV, 3x4.
import { DEFAULTS, SPEEDS_MM_PER_S, GAINS_MM_PER_MV } from './paper.js';
import { el } from './format.js';
import { calibrate, resetCalibration, screenCorrection } from './calibration.js';

const KEY = 'orthanc-ecg.paper';

export function loadSettings() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || '{}');
    const s = { ...DEFAULTS, ...saved };
    if (!SPEEDS_MM_PER_S.includes(s.mm_per_s)) s.mm_per_s = DEFAULTS.mm_per_s;
    if (!GAINS_MM_PER_MV.includes(s.mm_per_mv)) s.mm_per_mv = DEFAULTS.mm_per_mv;
    if (!['3x4', '12x1'].includes(s.layout)) s.layout = DEFAULTS.layout;
    return s;
  } catch (e) {
    return { ...DEFAULTS };
  }
}

function select(name, label, options, value, onchange) {
  return el('label', { class: 'control' }, label, ' ',
    el('select', { name, onchange: (e) => onchange(e.target.value) },
      options.map(([v, text]) => el('option', { value: String(v), selected: String(v) === String(value) }, text))));
}

// A toolbar calling onChange(settings) after each change. extra: more elements to append.
export function toolbar(settings, onChange, ...extra) {
  const set = (key, value) => {
    settings[key] = key === 'layout' ? value : Number(value);
    localStorage.setItem(KEY, JSON.stringify(settings));
    onChange(settings);
  };
  const ruler = el('span', { class: 'ruler', title: 'Should measure 50 mm on screen' });
  ruler.style.width = `${50 * (96 / 25.4) * screenCorrection()}px`;
  const calibration = el('details', { class: 'control calibration' },
    el('summary', {}, 'Screen scale'),
    el('div', {}, 'This bar is 50 mm at the nominal scale: ', ruler),
    el('label', {}, 'It measures ', el('input', { type: 'number', min: '25', max: '100', step: '0.5', name: 'measured-mm', size: '5' }), ' mm '),
    el('button', { type: 'button', onclick: (e) => {
      const input = e.target.parentElement.querySelector('input');
      try { calibrate(Number(input.value)); location.reload(); } catch (err) { alert(err.message); }
    } }, 'Apply'),
    el('button', { type: 'button', onclick: () => { resetCalibration(); location.reload(); } }, 'Reset'));
  return el('div', { class: 'toolbar' },
    select('speed', 'Speed', SPEEDS_MM_PER_S.map((v) => [v, `${v} mm/s`]), settings.mm_per_s, (v) => set('mm_per_s', v)),
    select('gain', 'Gain', GAINS_MM_PER_MV.map((v) => [v, `${v} mm/mV`]), settings.mm_per_mv, (v) => set('mm_per_mv', v)),
    select('layout', 'Layout', [['3x4', '3×4 + II rhythm'], ['12x1', '12×1']], settings.layout, (v) => set('layout', v)),
    ...extra, calibration);
}
