// calibration: the screen correction of the paper scale. Nominal CSS millimetres (96 / 25.4 px)
// differ from real ones by screen; a user who measures the 50 mm bar with a ruler can enter what
// it measures, and the factor is kept in this browser (localStorage), for this user only.
const KEY = 'orthanc-ecg.screenCorrection';

export function screenCorrection() {
  const value = Number(localStorage.getItem(KEY));
  return value > 0.5 && value < 2 ? value : 1;
}

// measured_mm: what the 50 mm bar measures on this screen. Returns the new factor.
export function calibrate(measured_mm) {
  const factor = (50 / measured_mm) * screenCorrection();
  if (!(factor > 0.5 && factor < 2)) throw new Error('a 50 mm bar should measure between 25 and 100 mm');
  localStorage.setItem(KEY, String(factor));
  return factor;
}

export function resetCalibration() { localStorage.removeItem(KEY); }
