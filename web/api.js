// api: the page's only door to the server. Every call is same-origin (relative to the page, so a
// reverse proxy's prefix is kept) and carries the user's Orthanc credentials (cookies, HTTP
// authentication) with credentials: 'same-origin'. A failed call throws an ApiError whose
// `words` say in plain language what went wrong, from the routes' {"error", "code"} bodies.
// URLs carry Orthanc IDs only, never patient data.

// The server root: the page lives at {root}ecg/app/.
const ROOT = new URL('../../', document.baseURI);

export class ApiError extends Error {
  constructor(status, code, serverMessage, words) {
    super(words);
    this.status = status;      // HTTP status, 0 when the server did not answer
    this.code = code;          // the route's "code" (NotFound, Unavailable, ...) or ''
    this.serverMessage = serverMessage;
    this.words = words;        // what the page shows
  }
  // True when the route itself does not exist on this server (Orthanc's own 404, no "code").
  get routeMissing() { return this.status === 404 && !this.code; }
  get noModel() { return this.status === 503 && /no trained model|no model/i.test(this.serverMessage); }
}

// `what` names the thing asked for, e.g. "the ECG", "similar ECGs" (used in the words).
function wordsFor(status, code, message, what) {
  if (status === 0) return `The server did not answer while loading ${what}. Check the connection and reload.`;
  if (status === 401 || status === 403) return `Not allowed to read ${what}: log in to Orthanc again, or ask for access.`;
  if (status === 404 && !code) return `This server does not offer ${what} yet (its ECG plugin has no such route).`;
  if (status === 404) return `Not found: ${what} is not in the ECG store (it may have been deleted in Orthanc). ${message}`;
  if (status === 503 && /no trained model|no model/i.test(message)) {
    return `No model yet: ${what} needs a similarity model, and none is active on this server. An administrator starts one from the training routes (see /ecg/status).`;
  }
  if (status === 503) return `The ECG database is not reachable right now, so ${what} cannot be shown. Try again in a minute. (${message})`;
  if (status === 400) return `The request for ${what} was refused: ${message}`;
  if (status >= 500) return `The server failed while loading ${what} (${status}${code ? ' ' + code : ''}): ${message}`;
  return `Loading ${what} failed (${status}): ${message}`;
}

// Answers asked for before the view's modules had loaded (app.js), by path; each is taken once.
const early = new Map();
export function askEarly(paths) {
  for (const path of paths) {
    const answer = fetch(new URL(path, ROOT), { credentials: 'same-origin' });
    answer.catch(() => {});  // a failure is met by the call that takes it
    early.set(path, answer);
  }
}

async function request(path, what, init = {}) {
  let response;
  try {
    const asked = init.method ? undefined : early.get(path);
    early.delete(path);
    response = await (asked || fetch(new URL(path, ROOT), { credentials: 'same-origin', ...init }));
  } catch (e) {
    throw new ApiError(0, '', String(e), wordsFor(0, '', '', what));
  }
  if (response.ok) return response;
  let code = '', message = response.statusText;
  try {
    const body = await response.json();
    code = body.code || '';
    message = body.error || body.Message || message;
  } catch (e) { /* not JSON */ }
  throw new ApiError(response.status, code, message, wordsFor(response.status, code, message, what));
}

async function json(path, what) {
  return (await request(path, what)).json();
}

const enc = encodeURIComponent;

// The paths of the calls that app.js may ask for early (the same strings, so they match).
export const paths = {
  ecg: (id) => `ecg/ecgs/${enc(id)}`,
  signal: (id) => `ecg/ecgs/${enc(id)}/signal?format=i16`,
  // What a list entry's thumbnail draws (paper.js drawThumbnail): 2.5 s of one lead at 125 Hz,
  // 7.5 KB instead of the whole signal's 120 KB; lead II, or the first of I, V5, V1 that the ECG
  // holds (a single-lead recording has no lead II).
  thumbnail: (id) => `ecg/ecgs/${enc(id)}/signal?format=i16&lead=II,I,V5,V1&duration_ms=2500&rate_hz=125`,
  similar: (id, { scope, k = 100, before } = {}) => {
    const q = new URLSearchParams({ k: String(k) });
    if (scope) q.set('scope', scope);
    if (before) q.set('before', before);
    return `ecg/ecgs/${enc(id)}/similar?${q}`;
  },
  identity: (id) => `ecg/ecgs/${enc(id)}/identity`,
  patientOfInstance: (instance) => `instances/${enc(instance)}/patient`,
};

// What the first paint of one ECG asks for (ecg_view.js and similar.js make these calls; app.js
// asks for them early): the ECG, its signal, both similar lists, the identity check, the patient.
export const FIRST_LIST_K = 100;
export function firstPaintPaths(id) {
  return [paths.ecg(id), paths.signal(id), paths.similar(id, { scope: 'same-patient', k: FIRST_LIST_K }),
    paths.similar(id, { scope: 'other-patients', k: FIRST_LIST_K }), paths.identity(id), paths.patientOfInstance(id)];
}

export const api = {
  ecg: (id) => json(paths.ecg(id), 'the ECG'),
  signal: async (id) => parseSignalI16(await (await request(paths.signal(id), 'the ECG signal')).arrayBuffer()),
  thumbnail: async (id) => parseSignalI16(await (await request(paths.thumbnail(id), 'the ECG preview')).arrayBuffer()),
  similar: (id, options = {}) => json(paths.similar(id, options), options.scope === 'same-patient' ? "the patient's similar prior ECGs" : 'similar ECGs of other patients'),
  identity: (id) => json(paths.identity(id), 'the identity check'),
  compare: (id, withWhat) => json(`ecg/ecgs/${enc(id)}/compare?with=${enc(withWhat)}`, 'the comparison'),
  timeline: (patient, { limit = 100, offset = 0 } = {}) =>
    json(`ecg/patients/${enc(patient)}/timeline?limit=${limit}&offset=${offset}`, "the patient's course"),
  patientEcgs: (patient) => json(`ecg/patients/${enc(patient)}/ecgs`, "the patient's ECGs"),
  // Orthanc's own REST API: the patient as Orthanc shows it.
  orthancPatient: (patient) => json(`patients/${enc(patient)}`, 'the patient in Orthanc'),
  orthancPatientOfInstance: (instance) => json(paths.patientOfInstance(instance), 'the patient in Orthanc'),
};

// The compact signal (?format=i16, waveform/signal_i16.h): a 32-byte header, then int16 samples
// lead-major in the order I, II, III, aVR, aVL, aVF, V1-V6. Returns
// { rate_hz, samplesPerLead, scale_uV, leads: [{name, status, samples: Int16Array}] }.
export const LEAD_NAMES = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];
const STATUS = ['missing', 'recorded', 'derived'];

export function parseSignalI16(buffer) {
  const view = new DataView(buffer);
  const magic = String.fromCharCode(...new Uint8Array(buffer, 0, 6));
  if (buffer.byteLength < 32 || magic !== 'ECGI16' || view.getUint8(7) !== 1) {
    throw new ApiError(200, 'Format', 'bad signal format', 'The signal came in a form this page does not read (reload the page after an upgrade).');
  }
  const rate_hz = view.getUint32(8, true) / 1000;
  const n = view.getUint32(12, true);
  const scale_uV = view.getUint32(16, true);
  const all = new Int16Array(buffer, 32, 12 * n);
  const leads = LEAD_NAMES.map((name, i) => ({
    name, status: STATUS[view.getUint8(20 + i)] || 'missing', samples: all.subarray(i * n, (i + 1) * n),
  }));
  return { rate_hz, samplesPerLead: n, scale_uV, leads };
}
