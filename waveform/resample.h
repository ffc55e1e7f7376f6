// Band-limited rational resampling of sampled signals (one channel at a time).
//
// Method: polyphase windowed-sinc interpolation. The ratio out/in is reduced to L/M (L phases,
// the best rational approximation with L <= kMaxPhases; integer rates are exact). Output sample
// j lies at input position j*M/L, so output sample 0 coincides with input sample 0 (no delay).
// Each output is a dot product of the input around that position with one phase of a
// Kaiser-windowed sinc low-pass whose cutoff is `cutoff` times the Nyquist frequency of the
// LOWER of the two rates (anti-aliasing when decimating, anti-imaging when interpolating).
// Every phase is normalised to unit sum, so DC passes exactly. Beyond the ends the input is
// extended by point reflection (x[-k] = 2 x[0] - x[k], likewise at the end), which continues
// both the level and the slope, so offsets and baseline drift do not ring at the edges. Equal
// rates copy the samples unchanged.
//
// With the defaults (8 zero crossings each side, cutoff 0.85, Kaiser beta 5.65 ~ 60 dB):
//   taps per output = 2*ceil(8 * max(1, in/out)) rounded up to a multiple of 4: 16 for
//   interpolation (100/250 -> 500 Hz), 64 for 4:1 decimation. 2:1 decimation (1000 -> 500 Hz,
//   the commonest) with the default options uses a half-band filter instead (waveform/halfband.h:
//   25 non-zero taps, 13 multiplications per output, against 32 taps for the general bank; it
//   fuses multiply-adds where the CPU has FMA, so a CPU without FMA may give other float bits).
//   Away from the ends (tests/waveform/resample_test.cc), a sine below 0.55 x the lower Nyquist
//   frequency keeps its amplitude within 0.2% and its phase; a sine above 1.15 x the output
//   Nyquist frequency is attenuated by more than 50 dB when decimating.
//
// Output length: round(n * out/in). Filter banks are computed once per (ratio, options) and
// cached process-wide (mutex-protected, bounded); a Resampler holds its bank by shared_ptr, so
// it is cheap to construct, immutable after construction and safe to share between threads.
// The general bank filters channels 8 at a time, interleaved. Its inner loop is compiled twice
// (AVX2 and baseline x86-64) and picked at run time; both give bit-identical results (no FMA
// contraction, fixed summation order).
//
// Errors: Error::InvalidArgument for a non-positive or non-finite rate or options out of range.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

    namespace ecg {

  struct ResampleOptions {
    // Half-width of the kernel in zero crossings of the sinc at the lower rate. More gives a
    // sharper transition band and costs proportionally more time. 1..64.
    int zero_crossings = 8;
    // Cutoff as a fraction of the lower rate's Nyquist frequency, (0, 1]. Lower protects better
    // against aliasing, higher keeps more of the band.
    double cutoff = 0.85;
    // Kaiser window shape, >= 0: higher means deeper stopband and a wider transition band.
    double kaiser_beta = 5.65;
  };

  // The most filter phases a bank holds; ratios needing more are approximated (the time drift is
  // below 1e-6 of a sample per sample, negligible for any ECG length).
  constexpr size_t kMaxPhases = 4096;

  class FilterBank;

  class Resampler {
   public:
    // REQUIRES: rates positive and finite, options in range (else throws InvalidArgument).
    Resampler(double in_rate_hz, double out_rate_hz, const ResampleOptions& options = {});

    double in_rate_hz() const { return in_rate_hz_; }
    double out_rate_hz() const { return out_rate_hz_; }
    // round(n * out/in).
    size_t OutputLength(size_t n) const;
    // Taps evaluated per output sample (0 when the rates are equal: a copy).
    size_t taps_per_output() const;

    // Resamples in[0, n) into out[0, OutputLength(n)). REQUIRES: the ranges do not overlap.
    void Process(const float* in, size_t n, float* out) const;
    std::vector<float> Process(const std::vector<float>& in) const;
    // Several channels of n samples each: in[c][0, n) -> out[c][0, OutputLength(n)). Faster per
    // channel than Process (channels are filtered 8 at a time); use it for whole ECGs.
    void ProcessChannels(const float* const* in, size_t channels, size_t n,
                         float* const* out) const;

   private:
    double in_rate_hz_;
    double out_rate_hz_;
    bool halfband_ = false;                   // 2:1 with the default options (waveform/halfband.h)
    std::shared_ptr<const FilterBank> bank_;  // null when the rates are equal or halfband_
  };

  // Convenience: one channel, one call (looks up the cached bank each time).
  std::vector<float> Resample(const std::vector<float>& in, double in_rate_hz, double out_rate_hz,
                              const ResampleOptions& options = {});

}  // namespace ecg
