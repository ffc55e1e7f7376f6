// Pieces of Kaiser-windowed sinc filter design, shared by the resamplers (internal to waveform/).
// Pure, thread-safe.
#pragma once

#include <cmath>

namespace ecg {

constexpr double kPi = 3.14159265358979323846;

// The modified Bessel function of the first kind, order 0 (power series).
inline double BesselI0(double x) {
  double sum = 1, term = 1;
  for (int k = 1; k < 64 && term > 1e-12 * sum; ++k) {
    term *= (x / (2 * k)) * (x / (2 * k));
    sum += term;
  }
  return sum;
}

// sin(pi x) / (pi x), 1 at 0.
inline double Sinc(double x) {
  return x == 0 ? 1.0 : std::sin(kPi * x) / (kPi * x);
}

// The Kaiser window of shape beta at r in [-1, 1] (0 outside), 1 at the centre.
inline double KaiserWindow(double beta, double r) {
  if (std::fabs(r) >= 1) return 0;
  return BesselI0(beta * std::sqrt(1 - r * r)) / BesselI0(beta);
}

}  // namespace ecg
