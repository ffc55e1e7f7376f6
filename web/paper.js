// paper: a 12-lead ECG on ECG paper, drawn on canvas at true scale.
//
// Scale: the nominal CSS millimetre, 1 mm = 96 / 25.4 CSS px at 100 % zoom (times an optional
// screen correction the user may store, see calibration.js); each canvas's backing store is its
// CSS size times devicePixelRatio, watched with matchMedia so that a zoom or another screen
// redraws sharp (uPlot's habit). Three layers: the grid (1 mm and 5 mm lines), the traces
// (calibration pulse, leads, labels) and the overlay (calipers, marks), each its own canvas.
// Units are in names: mm_per_s (25 or 50), mm_per_mv (5, 10 or 20), t_s, uV.
//
// Layouts: '3x4' (four columns of a quarter of the time each, on one continuous time axis:
// I/II/III, aVR/aVL/aVF, V1-V3, V4-V6, then a lead II rhythm strip of the whole time) and
// '12x1' (each lead over the whole time). At most 10 s are drawn. A second signal can be drawn
// over the first (compare, overlaid), shifted by shift_s, in another colour.
import { LEAD_NAMES } from './api.js';
import { screenCorrection } from './calibration.js';

export const CSS_PX_PER_MM = 96 / 25.4;
export const SPEEDS_MM_PER_S = [25, 50];
export const GAINS_MM_PER_MV = [5, 10, 20];
export const DEFAULTS = { mm_per_s: 25, mm_per_mv: 10, layout: '3x4' };
const MAX_SECONDS = 10;
const CALIBRATION_S = 0.2;
const COLOURS = { minor: '#f6c9c9', major: '#e58a8a', paper: '#fffafa', trace: '#111', second: '#1f5fd1', label: '#333', caliper: '#0a7d32' };

const LAYOUT_3X4 = [['I', 'aVR', 'V1', 'V4'], ['II', 'aVF', 'V2', 'V5'], ['III', 'aVL', 'V3', 'V6']];

export function pxPerMm() { return CSS_PX_PER_MM * screenCorrection(); }

// Where each lead goes, in millimetres of paper. Rows have a baseline (y_mm) and segments
// {lead, t0_s, t1_s, x_mm}: the lead's samples from t0_s to t1_s start at x_mm.
export function layoutPaper(duration_s, { mm_per_s, mm_per_mv, layout }) {
  const shown_s = Math.min(duration_s, MAX_SECONDS);
  const margin_mm = 5 + 5 * Math.ceil((CALIBRATION_S * mm_per_s + 2) / 5);
  const row_mm = Math.min(60, Math.max(15, 5 * Math.round((3 * mm_per_mv) / 5)));
  const top_mm = 5;
  const rows = [];
  const addRow = (segments) => {
    const y0 = top_mm + rows.length * row_mm;
    rows.push({ top_mm: y0, height_mm: row_mm, y_mm: y0 + Math.round(0.6 * row_mm), segments });
  };
  if (layout === '12x1') {
    for (const lead of LEAD_NAMES) addRow([{ lead, t0_s: 0, t1_s: shown_s, x_mm: margin_mm }]);
  } else {
    const column_s = shown_s / 4;
    for (const leads of LAYOUT_3X4) {
      addRow(leads.map((lead, c) => ({ lead, t0_s: c * column_s, t1_s: (c + 1) * column_s, x_mm: margin_mm + c * column_s * mm_per_s })));
    }
    addRow([{ lead: 'II', t0_s: 0, t1_s: shown_s, x_mm: margin_mm, rhythm: true }]);
  }
  const width_mm = 5 * Math.ceil((margin_mm + shown_s * mm_per_s + 5) / 5);
  const height_mm = 5 * Math.ceil((top_mm + rows.length * row_mm + 5) / 5);
  return { width_mm, height_mm, margin_mm, rows, shown_s, mm_per_s, mm_per_mv };
}

function sizeCanvas(canvas, width_mm, height_mm) {
  const dpr = window.devicePixelRatio || 1;
  const cssW = width_mm * pxPerMm(), cssH = height_mm * pxPerMm();
  canvas.style.width = `${cssW}px`;
  canvas.style.height = `${cssH}px`;
  canvas.width = Math.round(cssW * dpr);
  canvas.height = Math.round(cssH * dpr);
  const ctx = canvas.getContext('2d');
  const k = canvas.width / width_mm;  // device px per mm
  ctx.setTransform(k, 0, 0, canvas.height / height_mm, 0, 0);
  return ctx;
}

export function drawGrid(canvas, width_mm, height_mm) {
  const ctx = sizeCanvas(canvas, width_mm, height_mm);
  const onePx = width_mm / canvas.width;  // one device pixel in mm
  ctx.fillStyle = COLOURS.paper;
  ctx.fillRect(0, 0, width_mm, height_mm);
  for (const major of [false, true]) {
    ctx.beginPath();
    ctx.strokeStyle = major ? COLOURS.major : COLOURS.minor;
    ctx.lineWidth = (major ? 1.6 : 1) * onePx;
    for (let x = 0; x <= width_mm + 1e-9; x += 1) {
      if ((x % 5 === 0) !== major) continue;
      ctx.moveTo(x, 0); ctx.lineTo(x, height_mm);
    }
    for (let y = 0; y <= height_mm + 1e-9; y += 1) {
      if ((y % 5 === 0) !== major) continue;
      ctx.moveTo(0, y); ctx.lineTo(width_mm, y);
    }
    ctx.stroke();
  }
}

// Adds the samples of `lead` that fall in `seg` to the current path. onePx: one device pixel in
// mm (0: every sample). Where several samples fall within one device pixel's width (500 Hz at
// 25 mm/s is about 5 per CSS pixel), only that group's first, lowest, highest and last samples
// are kept, in time order: every peak and spike is drawn at its height, within a device pixel of
// its place, with a fraction of the vertices for the rasteriser (the page's costliest work).
function strokeSegment(ctx, lead, seg, y_mm, geometry, rate_hz, scale_uV, shift_s = 0, onePx = 0) {
  const { mm_per_s, mm_per_mv } = geometry;
  const s = lead.samples;
  const from = Math.max(0, Math.ceil((seg.t0_s - shift_s) * rate_hz));
  const to = Math.min(s.length - 1, Math.floor((seg.t1_s - shift_s) * rate_hz));
  if (to <= from) return false;
  const mmPerSample = mm_per_s / rate_hz;
  const x0 = seg.x_mm + (from / rate_hz + shift_s - seg.t0_s) * mm_per_s;
  const k = (scale_uV / 1000) * mm_per_mv;
  ctx.moveTo(x0, y_mm - s[from] * k);
  const perColumn = onePx > 0 ? Math.floor(onePx / mmPerSample) : 0;
  if (perColumn < 2) {
    for (let i = from + 1; i <= to; i++) ctx.lineTo(x0 + (i - from) * mmPerSample, y_mm - s[i] * k);
    return true;
  }
  for (let c = from + 1; c <= to; c += perColumn) {
    const end = Math.min(to, c + perColumn - 1);
    let lo = c, hi = c;
    for (let i = c + 1; i <= end; i++) {
      if (s[i] < s[lo]) lo = i;
      if (s[i] > s[hi]) hi = i;
    }
    const [a, b] = lo < hi ? [lo, hi] : [hi, lo];
    for (const i of [c, a, b, end]) ctx.lineTo(x0 + (i - from) * mmPerSample, y_mm - s[i] * k);
  }
  return true;
}

// Draws the traces of `signal` (and options.second = {signal, shift_s}) on `canvas`.
// Returns the lead names drawn and their boxes in CSS px (for tests and hit-testing).
export function drawTraces(canvas, signal, geometry, second) {
  const { width_mm, height_mm, rows, margin_mm, mm_per_s, mm_per_mv } = geometry;
  const ctx = sizeCanvas(canvas, width_mm, height_mm);
  const onePx = width_mm / canvas.width;
  ctx.clearRect(0, 0, width_mm, height_mm);
  ctx.lineJoin = 'round';
  const drawn = new Set();
  const boxes = [];
  const byName = new Map(signal.leads.map((l) => [l.name, l]));
  const secondByName = second ? new Map(second.signal.leads.map((l) => [l.name, l])) : null;
  ctx.font = `${3.2}px sans-serif`;
  for (const row of rows) {
    // Calibration pulse: 1 mV high, 0.2 s wide, from the baseline.
    const pulse_mm = CALIBRATION_S * mm_per_s;
    const px = margin_mm - pulse_mm - 2.5;
    ctx.beginPath();
    ctx.strokeStyle = COLOURS.trace;
    ctx.lineWidth = 1.4 * onePx;
    ctx.moveTo(px - 2, row.y_mm); ctx.lineTo(px, row.y_mm); ctx.lineTo(px, row.y_mm - mm_per_mv);
    ctx.lineTo(px + pulse_mm, row.y_mm - mm_per_mv); ctx.lineTo(px + pulse_mm, row.y_mm); ctx.lineTo(px + pulse_mm + 2, row.y_mm);
    ctx.stroke();
    for (const seg of row.segments) {
      const lead = byName.get(seg.lead);
      const x1 = seg.x_mm + (seg.t1_s - seg.t0_s) * mm_per_s;
      ctx.save();
      ctx.beginPath();
      ctx.rect(seg.x_mm, row.top_mm - row.height_mm * 0.5, x1 - seg.x_mm, row.height_mm * 2);
      ctx.clip();
      if (second) {
        const other = secondByName.get(seg.lead);
        if (other && other.status !== 'missing') {
          ctx.beginPath();
          ctx.strokeStyle = COLOURS.second;
          ctx.lineWidth = 1.3 * onePx;
          strokeSegment(ctx, other, seg, row.y_mm, geometry, second.signal.rate_hz, second.signal.scale_uV, second.shift_s || 0, onePx);
          ctx.stroke();
        }
      }
      if (lead && lead.status !== 'missing') {
        ctx.beginPath();
        ctx.strokeStyle = COLOURS.trace;
        ctx.lineWidth = 1.3 * onePx;
        if (strokeSegment(ctx, lead, seg, row.y_mm, geometry, signal.rate_hz, signal.scale_uV, 0, onePx)) drawn.add(seg.lead);
        ctx.stroke();
      }
      ctx.restore();
      ctx.fillStyle = COLOURS.label;
      const label = lead && lead.status === 'derived' ? `${seg.lead}*` : lead && lead.status === 'missing' ? `${seg.lead} (missing)` : seg.lead;
      ctx.fillText(label, seg.x_mm + 1, row.top_mm + 4);
      // Column boundaries: a short tick, as printed ECGs have.
      if (seg.x_mm > margin_mm) {
        ctx.beginPath(); ctx.strokeStyle = COLOURS.trace; ctx.lineWidth = 1 * onePx;
        ctx.moveTo(seg.x_mm, row.y_mm - 2); ctx.lineTo(seg.x_mm, row.y_mm + 2); ctx.stroke();
      }
      const k = pxPerMm();
      boxes.push({ lead: seg.lead, x: seg.x_mm * k, y: row.top_mm * k, w: (x1 - seg.x_mm) * k, h: row.height_mm * k, rhythm: !!seg.rhythm });
    }
  }
  return { drawn: [...drawn], boxes };
}

// The paper of one ECG view: a wrapper with the three layers, redrawn on demand.
export class Paper {
  constructor(host, { caption = '' } = {}) {
    this.wrap = document.createElement('div');
    this.wrap.className = 'paper';
    if (caption) {
      const c = document.createElement('div');
      c.className = 'paper-caption';
      c.textContent = caption;
      host.append(c);
    }
    this.grid = document.createElement('canvas');
    this.grid.className = 'paper-grid';
    this.trace = document.createElement('canvas');
    this.trace.className = 'paper-trace';
    this.overlay = document.createElement('canvas');
    this.overlay.className = 'paper-overlay';
    this.wrap.append(this.grid, this.trace, this.overlay);
    host.append(this.wrap);
    this.watchPixelRatio();
  }

  watchPixelRatio() {
    const query = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    query.addEventListener('change', () => { if (this.last) this.render(...this.last); this.watchPixelRatio(); }, { once: true });
  }

  // options: {mm_per_s, mm_per_mv, layout}; second: {signal, shift_s} or null.
  render(signal, options, second = null) {
    this.last = [signal, options, second];
    const duration_s = signal.samplesPerLead / signal.rate_hz;
    this.geometry = layoutPaper(duration_s, { ...DEFAULTS, ...options });
    const { width_mm, height_mm } = this.geometry;
    drawGrid(this.grid, width_mm, height_mm);
    const { drawn, boxes } = drawTraces(this.trace, signal, this.geometry, second);
    sizeCanvas(this.overlay, width_mm, height_mm);
    this.wrap.style.width = this.grid.style.width;
    this.wrap.style.height = this.grid.style.height;
    // What tests (and people with dev tools) can read: the scale as drawn.
    Object.assign(this.trace.dataset, {
      widthMm: String(width_mm), heightMm: String(height_mm), mmPerS: String(this.geometry.mm_per_s),
      mmPerMv: String(this.geometry.mm_per_mv), layout: options.layout || DEFAULTS.layout,
      leadsDrawn: drawn.join(','), leadBoxes: JSON.stringify(boxes), traces: second ? '2' : '1',
    });
    this.boxes = boxes;
    return drawn;
  }

  // A pointer event as paper coordinates: x_mm, y_mm, and the row it falls in.
  pointOf(event) {
    const r = this.overlay.getBoundingClientRect();
    const k = pxPerMm();
    const x_mm = (event.clientX - r.left) / k, y_mm = (event.clientY - r.top) / k;
    const row = this.geometry.rows.find((w) => y_mm >= w.top_mm && y_mm < w.top_mm + w.height_mm) || null;
    return { x_mm, y_mm, row };
  }

  // Clears the overlay and returns its context in millimetres.
  overlayContext() {
    const ctx = this.overlay.getContext('2d');
    const { width_mm, height_mm } = this.geometry;
    ctx.setTransform(this.overlay.width / width_mm, 0, 0, this.overlay.height / height_mm, 0, 0);
    ctx.clearRect(0, 0, width_mm, height_mm);
    return { ctx, onePx: width_mm / this.overlay.width, colour: COLOURS.caliper };
  }
}

// A small preview of one lead (thumbnails in lists): `lead` when the signal holds it, else the
// first lead it holds (a single-lead or chest-only recording has no lead II); 2.5 s, fixed
// 4 mm/mV-like gain, no grid scale promise. canvas is sized from its CSS size. Returns the name
// of the lead drawn.
export function drawThumbnail(canvas, signal, lead = 'II', seconds = 2.5) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 160, h = canvas.clientHeight || 48;
  canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = COLOURS.paper; ctx.fillRect(0, 0, w, h);
  const held = (x) => x.status !== 'missing';
  const l = signal.leads.find((x) => x.name === lead && held(x)) || signal.leads.find(held) || signal.leads[1];
  const n = Math.min(l.samples.length, Math.round(seconds * signal.rate_hz));
  const uVperPx = 2500 / h;  // 2.5 mV over the height
  ctx.beginPath(); ctx.strokeStyle = COLOURS.trace; ctx.lineWidth = 1;
  for (let i = 0; i < n; i++) {
    const x = (i / n) * w, y = h * 0.65 - (l.samples[i] * signal.scale_uV) / uVperPx;
    if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  }
  ctx.stroke();
  canvas.dataset.drawn = '1';
  return l.name;
}
