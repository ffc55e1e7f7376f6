// header: who and what the page shows. The patient as Orthanc shows it (its own REST API,
// /patients/{id}: PatientName, PatientID, birth date, sex), then the ECG's acquisition time,
// device and filters. Patient data are shown, never put in URLs or logs.
import { api } from './api.js';
import { el, dateTime, viewUrl } from './format.js';

// orthancPatient: Orthanc's patient resource, or a promise of it.
export async function patientLine(orthancPatient) {
  const box = el('div', { class: 'patient' });
  try {
    const p = await orthancPatient;
    const t = p.MainDicomTags || {};
    box.append(el('span', { class: 'patient-name' }, t.PatientName || '(no name)'),
      el('span', { class: 'patient-id' }, `ID ${t.PatientID || '—'}`),
      t.PatientBirthDate ? el('span', {}, `born ${t.PatientBirthDate.replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3')}`) : '',
      t.PatientSex ? el('span', {}, `sex ${t.PatientSex}`) : '');
  } catch (e) {
    box.append(el('span', { class: 'patient-name' }, 'Patient not readable from Orthanc'), el('small', {}, ` (${e.words || e.message})`));
  }
  return box;
}

function filters(ecg) {
  const parts = [];
  if (ecg.low_frequency_filter_hz != null) parts.push(`high-pass ${ecg.low_frequency_filter_hz} Hz`);
  if (ecg.high_frequency_filter_hz != null) parts.push(`low-pass ${ecg.high_frequency_filter_hz} Hz`);
  if (ecg.notch_filter_hz != null) parts.push(`notch ${ecg.notch_filter_hz} Hz`);
  return parts.length ? parts.join(', ') : 'not stated';
}

// The header of one ECG: patient, time, device, filters, and links to the patient's course.
// orthancPatient: a promise of Orthanc's patient resource, asked for early; else it is asked now.
export async function ecgHeader(ecg, orthancPatient = api.orthancPatient(ecg.orthanc.patient)) {
  const derived = Object.entries(ecg.leads || {}).filter(([, s]) => s === 'derived').map(([l]) => l);
  const missing = Object.entries(ecg.leads || {}).filter(([, s]) => s === 'missing').map(([l]) => l);
  return el('header', { class: 'ecg-header' },
    await patientLine(orthancPatient),
    el('div', { class: 'ecg-facts' },
      el('span', {}, el('b', {}, 'Acquired '), dateTime(ecg.acquisition_time_ms), ecg.utc_offset_minutes == null ? ' (device clock)' : ' UTC'),
      el('span', {}, el('b', {}, 'Device '), [ecg.manufacturer, ecg.model].filter(Boolean).join(' ') || 'not stated'),
      el('span', {}, el('b', {}, 'Filters '), filters(ecg)),
      el('span', {}, el('b', {}, 'Recorded at '), `${ecg.source_rate_hz} Hz, ${(ecg.duration_ms / 1000).toFixed(1)} s`),
      derived.length ? el('span', { title: 'computed from other leads; marked * on the paper' }, el('b', {}, 'Derived '), derived.join(' ')) : '',
      missing.length ? el('span', { class: 'warn' }, el('b', {}, 'Missing '), missing.join(' ')) : ''),
    el('nav', { class: 'links' },
      el('a', { href: viewUrl({ patient: ecg.orthanc.patient }), class: 'course-link' }, "Patient's course"),
      el('a', { href: `../../app/explorer.html#instance?uuid=${ecg.orthanc.instance}` }, 'In Orthanc Explorer')));
}
