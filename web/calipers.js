// calipers: two clicks on the paper give the time between them (ms), the voltage difference
// (mV) and, read as an RR interval, the heart rate (bpm). A third click starts again. Distances
// are read on the paper at its scale, so they hold in every layout and at every speed and gain.
import { el } from './format.js';

export function attachCalipers(paper, readout) {
  let marks = [];
  let enabled = false;
  const show = () => {
    const { ctx, onePx, colour } = paper.overlayContext();
    ctx.strokeStyle = colour; ctx.fillStyle = colour; ctx.lineWidth = 1.5 * onePx;
    const { height_mm } = paper.geometry;
    for (const m of marks) {
      ctx.beginPath(); ctx.moveTo(m.x_mm, 0); ctx.lineTo(m.x_mm, height_mm); ctx.stroke();
      ctx.beginPath(); ctx.arc(m.x_mm, m.y_mm, 0.8, 0, 2 * Math.PI); ctx.fill();
    }
    if (marks.length === 2) {
      const [a, b] = marks;
      ctx.setLineDash([1, 1]);
      ctx.beginPath(); ctx.moveTo(a.x_mm, a.y_mm); ctx.lineTo(b.x_mm, a.y_mm); ctx.lineTo(b.x_mm, b.y_mm); ctx.stroke();
      ctx.setLineDash([]);
      const { mm_per_s, mm_per_mv } = paper.geometry;
      const dt_ms = (Math.abs(b.x_mm - a.x_mm) / mm_per_s) * 1000;
      const dv_mv = (a.y_mm - b.y_mm) / mm_per_mv;
      const hr = dt_ms > 0 ? 60000 / dt_ms : null;
      readout.textContent = `Δt ${dt_ms.toFixed(0)} ms · ΔV ${dv_mv >= 0 ? '+' : ''}${dv_mv.toFixed(2)} mV · as RR: ${hr ? hr.toFixed(0) : '—'} bpm`;
      readout.dataset.dtMs = dt_ms.toFixed(1);
      readout.dataset.dvMv = dv_mv.toFixed(3);
      readout.dataset.hrBpm = hr ? hr.toFixed(1) : '';
    } else {
      readout.textContent = marks.length ? 'Click the second point.' : (enabled ? 'Calipers on: click two points on the trace.' : '');
    }
  };
  paper.overlay.addEventListener('click', (event) => {
    if (!enabled) return;
    const p = paper.pointOf(event);
    marks = marks.length >= 2 ? [p] : [...marks, p];
    show();
  });
  const button = el('button', { type: 'button', class: 'calipers-toggle', 'aria-pressed': 'false', onclick: () => {
    enabled = !enabled;
    button.setAttribute('aria-pressed', String(enabled));
    paper.overlay.classList.toggle('calipers-on', enabled);
    marks = [];
    show();
  } }, 'Calipers');
  return { button, redraw: show };
}
