// format: small helpers shared by the views: text for dates, numbers and DOM building.

// An element: el('div', {class: 'x', onclick: f}, child, 'text', ...).
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
}

// "2023-04-05 14:03" from milliseconds since 1970 (the device's clock, shown as stored: UTC).
export function dateTime(ms) {
  if (ms === null || ms === undefined) return 'unknown time';
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
export function date(ms) { return ms === null || ms === undefined ? 'unknown date' : new Date(ms).toISOString().slice(0, 10); }

export function num(value, digits = 0) {
  return value === null || value === undefined || Number.isNaN(value) ? '—' : Number(value).toFixed(digits);
}

// An error box with the ApiError's words (or any error's message).
export function errorBox(error, extraClass = '') {
  return el('div', { class: `message error ${extraClass}`, role: 'alert' }, error && error.words ? error.words : String(error && error.message || error));
}
export function note(text, extraClass = '') { return el('div', { class: `message ${extraClass}` }, text); }

// The page's own URL for a view, with Orthanc IDs only.
export function viewUrl(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  return `./index.html?${q}`;
}

// A pager over `items`, `size` per page, calling render(pageItems, offset) on each change;
// returns its element (prev / "1-10 of 1000" / next).
export function pager(items, size, render) {
  let offset = 0;
  const label = el('span', { class: 'pager-label' });
  const prev = el('button', { type: 'button', class: 'pager-prev', onclick: () => go(offset - size) }, '‹ Previous');
  const next = el('button', { type: 'button', class: 'pager-next', onclick: () => go(offset + size) }, 'Next ›');
  const box = el('div', { class: 'pager' }, prev, label, next);
  function go(to) {
    offset = Math.max(0, Math.min(to, Math.max(0, items.length - 1) - ((Math.max(0, items.length - 1)) % size)));
    label.textContent = items.length ? `${offset + 1}–${Math.min(items.length, offset + size)} of ${items.length}` : 'none';
    prev.disabled = offset === 0;
    next.disabled = offset + size >= items.length;
    box.hidden = items.length <= size;
    render(items.slice(offset, offset + size), offset);
  }
  go(0);
  return box;
}
