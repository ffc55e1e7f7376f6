// The quadratic-spline dyadic wavelet transform of Mallat and Zhong (IEEE PAMI 14(7), 1992), as
// used for ECG delineation by Martinez et al. (IEEE TBME 51(4):570-581, 2004), computed without
// decimation (algorithme a trous), and what the delineator reads from it. Internal to waveform/.
//
// Filters (at scale 2^1): low-pass H(w) = e^{jw/2} cos^3(w/2), taps (1, 3, 3, 1) / 8; high-pass
// G(w) = 4j e^{jw/2} sin(w/2), taps (2, -2). Scale 2^k applies H at scales 2^1..2^(k-1) and then
// G, each filter with 2^(i-1) - 1 zeros between its taps. The transform at scale 2^k is thus the
// derivative of the signal smoothed by a spline kernel whose width doubles with k: for slowly
// varying x it tends to 2^k x'(t) (per sample), and it is zero on a constant or flat stretch. A
// wave's onset and end are where |W| falls back towards zero on either side of its modulus maxima.
//
// Scales are relative to the rate: Martinez designed them at 250 Hz, where scale 2^2 holds most
// of the QRS energy and 2^4-2^5 the P and T waves; at 500 Hz the same bands are one scale higher
// (WaveletScaleAt). Indexing: out[k - 1][i] is W at scale 2^k centred half a sample after i (the
// filters have even length; the remaining half sample is not shifted away). Beyond the ends the
// signal is extended by its end samples. Pure, thread-safe. Cost: O(n x scales).
#pragma once

#include <cstddef>
#include <vector>

namespace ecg {

// W at scales 2^1 .. 2^scales of x[0, n). REQUIRES: scales >= 1. n = 0 gives empty rows.
std::vector<std::vector<double>> QuadraticSplineWavelet(const float* x, size_t n, int scales);

// The scale (k of 2^k) at `rate_hz` that covers the band scale 2^k_at_250_hz covers at 250 Hz
// (k + log2(rate / 250), rounded, at least 1).
int WaveletScaleAt(int k_at_250_hz, double rate_hz);

}  // namespace ecg
