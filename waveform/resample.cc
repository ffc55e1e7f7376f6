#include "waveform/resample.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "waveform/edge_extension.h"
#include "waveform/error.h"
#include "waveform/float_lanes.h"
#include "waveform/halfband.h"
#include "waveform/kaiser.h"

namespace ecg {

// Taps are padded to a multiple of the number of partial sums so the inner loop has no remainder.
constexpr size_t kTapMultiple = 4;
// Scratch buffers start on a cache line, so that no vector load straddles two lines.
constexpr size_t kAlignFloats = 64 / sizeof(float);
constexpr size_t kMaxCachedBanks = 64;

// Coefficients of all L phases, phase-major: coeffs[phase * taps + i] weights input sample
// base + i - left_pad for an output at input position base + phase / L.
class FilterBank {
 public:
  size_t phases;    // L
  size_t step;      // M: an output advances M/L input samples
  size_t taps;      // per phase, multiple of kLanes
  size_t left_pad;  // input samples needed before position base
  std::vector<float> coeffs;
};

namespace {

struct Ratio {
  size_t up;    // L
  size_t down;  // M
};

// Best rational approximation of out/in with at most kMaxPhases phases (continued fractions).
Ratio ReduceRatio(double in_rate_hz, double out_rate_hz) {
  const double target = out_rate_hz / in_rate_hz;
  double x = target;
  // Convergents p/q of target: p counts phases (L), q input steps (M).
  double p_prev = 1, q_prev = 0, p = std::floor(x), q = 1;
  for (int i = 0; i < 64; ++i) {
    if (std::fabs(p / q - target) <= 1e-12 * target) break;
    const double frac = x - std::floor(x);
    if (frac < 1e-15) break;
    x = 1.0 / frac;
    const double a = std::floor(x);
    const double p_next = a * p + p_prev, q_next = a * q + q_prev;
    if (p_next > kMaxPhases || q_next > 1e9) break;
    p_prev = p, q_prev = q, p = p_next, q = q_next;
  }
  if (p < 1) p = 1;  // ratios below 1/kMaxPhases: one phase, stride rounded
  return {static_cast<size_t>(p), static_cast<size_t>(q)};
}

std::shared_ptr<const FilterBank> DesignBank(Ratio ratio, const ResampleOptions& o) {
  auto bank = std::make_shared<FilterBank>();
  bank->phases = ratio.up;
  bank->step = ratio.down;
  // Scale from input samples to samples of the lower rate.
  const double scale = std::min(1.0, static_cast<double>(ratio.up) / ratio.down);
  const double half_width = o.zero_crossings / scale;  // in input samples
  const size_t half = static_cast<size_t>(std::ceil(half_width - 1e-9));
  bank->left_pad = half - 1;
  bank->taps = (2 * half + kTapMultiple - 1) / kTapMultiple * kTapMultiple;
  bank->coeffs.assign(bank->phases * bank->taps, 0.0f);
  const double cutoff = o.cutoff * scale;  // fraction of the input Nyquist frequency
  for (size_t phase = 0; phase < bank->phases; ++phase) {
    const double frac = static_cast<double>(phase) / bank->phases;
    std::vector<double> h(2 * half);
    double sum = 0;
    for (size_t i = 0; i < h.size(); ++i) {
      const double d = frac - (static_cast<double>(i) - bank->left_pad);
      h[i] = cutoff * Sinc(cutoff * d) * KaiserWindow(o.kaiser_beta, d / half_width);
      sum += h[i];
    }
    float* out = &bank->coeffs[phase * bank->taps];
    for (size_t i = 0; i < h.size(); ++i) out[i] = static_cast<float>(h[i] / sum);
  }
  return bank;
}

void CheckOptions(double in_rate_hz, double out_rate_hz, const ResampleOptions& o) {
  auto bad_rate = [](double r) { return !(r > 0) || !std::isfinite(r); };
  if (bad_rate(in_rate_hz) || bad_rate(out_rate_hz)) {
    throw Error::InvalidArgument("Resampler: rates must be positive and finite, got " +
                                 std::to_string(in_rate_hz) + " Hz -> " +
                                 std::to_string(out_rate_hz) + " Hz");
  }
  if (o.zero_crossings < 1 || o.zero_crossings > 64 || !(o.cutoff > 0 && o.cutoff <= 1) ||
      !(o.kaiser_beta >= 0 && o.kaiser_beta < 50)) {
    throw Error::InvalidArgument(
        "Resampler: options out of range (zero_crossings 1..64, cutoff (0,1], beta 0..50)");
  }
}

// Process-wide cache of banks; banks are immutable, so handing out shared_ptrs is safe.
std::shared_ptr<const FilterBank> CachedBank(Ratio ratio, const ResampleOptions& o) {
  using Key = std::tuple<size_t, size_t, int, double, double>;
  static std::mutex mutex;
  static std::map<Key, std::shared_ptr<const FilterBank>> cache;
  const Key key{ratio.up, ratio.down, o.zero_crossings, o.cutoff, o.kaiser_beta};
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  auto bank = DesignBank(ratio, o);  // outside the lock: a race only designs it twice
  std::lock_guard<std::mutex> lock(mutex);
  if (cache.size() >= kMaxCachedBanks) cache.clear();
  return cache.emplace(key, bank).first->second;
}

// Channels are resampled kLanes at a time, interleaved (sample t of channel c at
// padded[t * kLanes + c]), so one output instant of kLanes channels is a sum over taps of a
// broadcast coefficient times a vector of inputs: no horizontal sums, fixed summation order.

float* AlignToCacheLine(float* p) {
  const auto address = reinterpret_cast<uintptr_t>(p);
  return p + ((64 - address % 64) % 64) / sizeof(float);
}

// One output instant of all lanes: taps coefficients against taps input instants. Four partial
// sums (taps k mod 4) keep four additions in flight; a single chain would wait on the adder's
// latency at every tap. Fixed summation order: the result does not depend on the build.
inline void Dot(Lanes& y, const float* h, const Lanes* x, size_t taps) {
  Lanes acc0 = h[0] * x[0], acc1 = h[1] * x[1], acc2 = h[2] * x[2], acc3 = h[3] * x[3];
  for (size_t k = 4; k < taps; k += 4) {
    acc0 += h[k] * x[k];
    acc1 += h[k + 1] * x[k + 1];
    acc2 += h[k + 2] * x[k + 2];
    acc3 += h[k + 3] * x[k + 3];
  }
  y = (acc0 + acc1) + (acc2 + acc3);
}

// The hot loop: every output instant of the interleaved channels, written straight to the
// channels' outputs (out[c][j], c < channels) eight instants at a time through a transpose.
ECG_MULTIVERSION
void RunBank(const FilterBank& bank, const Lanes* padded, size_t count, size_t channels,
             float* const* out) {
  const size_t taps = bank.taps, phases = bank.phases;
  const size_t step_base = bank.step / phases, step_phase = bank.step % phases;
  size_t base = 0, phase = 0;
  auto next = [&](Lanes& y) {
    Dot(y, bank.coeffs.data() + phase * taps, padded + base, taps);
    base += step_base;
    phase += step_phase;
    if (phase >= phases) {
      phase -= phases;
      ++base;
    }
  };
  size_t j = 0;
  for (; j + kLanes <= count; j += kLanes) {
    Lanes rows[kLanes];
    for (Lanes& row : rows) next(row);
    Transpose8(rows);
    for (size_t c = 0; c < channels; ++c) Store(out[c] + j, rows[c]);
  }
  for (; j < count; ++j) {
    Lanes y;
    next(y);
    for (size_t c = 0; c < channels; ++c) out[c][j] = y[c];
  }
}

// Up to kLanes channels interleaved into padded (total x kLanes floats), left_pad samples
// before x[0], extended past both ends as waveform/edge_extension.h says. Lanes
// past `channels` hold copies of channel 0 (finite; their outputs are discarded).
ECG_MULTIVERSION
void Interleave(const float* const* in, size_t channels, size_t n, size_t left_pad, float* padded,
                size_t total) {
  const float* source[kLanes];
  for (size_t c = 0; c < kLanes; ++c) source[c] = in[c < channels ? c : 0];
  for (size_t c = 0; c < kLanes; ++c) {
    const auto at = [&](size_t t) {
      return ExtendedSample(source[c], n,
                            static_cast<std::ptrdiff_t>(t) - static_cast<std::ptrdiff_t>(left_pad));
    };
    for (size_t t = 0; t < left_pad; ++t) padded[t * kLanes + c] = at(t);
    for (size_t t = left_pad + n; t < total; ++t) padded[t * kLanes + c] = at(t);
  }
  float* middle = padded + left_pad * kLanes;
  size_t t = 0;
  for (; t + kLanes <= n; t += kLanes) {
    Lanes rows[kLanes];
    for (size_t c = 0; c < kLanes; ++c) Load(rows[c], source[c] + t);
    Transpose8(rows);
    for (size_t i = 0; i < kLanes; ++i) Store(middle + (t + i) * kLanes, rows[i]);
  }
  for (; t < n; ++t) {
    for (size_t c = 0; c < kLanes; ++c) middle[t * kLanes + c] = source[c][t];
  }
}

}  // namespace

Resampler::Resampler(double in_rate_hz, double out_rate_hz, const ResampleOptions& options)
    : in_rate_hz_(in_rate_hz), out_rate_hz_(out_rate_hz) {
  CheckOptions(in_rate_hz, out_rate_hz, options);
  if (in_rate_hz == out_rate_hz) return;
  const Ratio ratio = ReduceRatio(in_rate_hz, out_rate_hz);
  const ResampleOptions defaults;
  halfband_ = ratio.up == 1 && ratio.down == 2 &&
              options.zero_crossings == defaults.zero_crossings &&
              options.cutoff == defaults.cutoff && options.kaiser_beta == defaults.kaiser_beta;
  if (!halfband_) bank_ = CachedBank(ratio, options);
}

size_t Resampler::OutputLength(size_t n) const {
  return static_cast<size_t>(std::llround(static_cast<double>(n) * out_rate_hz_ / in_rate_hz_));
}

size_t Resampler::taps_per_output() const {
  if (halfband_) return kHalfbandTaps;
  return bank_ ? bank_->taps : 0;
}

void Resampler::Process(const float* in, size_t n, float* out) const {
  ProcessChannels(&in, 1, n, &out);
}

void Resampler::ProcessChannels(const float* const* in, size_t channels, size_t n,
                                float* const* out) const {
  const size_t count = OutputLength(n);
  if (count == 0) return;
  if (halfband_) {
    HalfbandDecimate(in, channels, n, out);
    return;
  }
  if (!bank_) {
    for (size_t c = 0; c < channels; ++c) std::memcpy(out[c], in[c], n * sizeof(float));
    return;
  }
  // The last output reads padded positions up to floor((count-1)*M/L) + taps - 1.
  const size_t last_base = (count - 1) / bank_->phases * bank_->step +
                           (count - 1) % bank_->phases * bank_->step / bank_->phases;
  const size_t total = std::max(last_base + bank_->taps, bank_->left_pad + n);
  thread_local std::vector<float> padded_storage;
  padded_storage.resize(total * kLanes + kAlignFloats);
  float* padded = AlignToCacheLine(padded_storage.data());
  for (size_t first = 0; first < channels; first += kLanes) {
    const size_t width = std::min(kLanes, channels - first);
    Interleave(in + first, width, n, bank_->left_pad, padded, total);
    RunBank(*bank_, reinterpret_cast<const Lanes*>(padded), count, width, out + first);
  }
}

std::vector<float> Resampler::Process(const std::vector<float>& in) const {
  std::vector<float> out(OutputLength(in.size()));
  Process(in.data(), in.size(), out.data());
  return out;
}

std::vector<float> Resample(const std::vector<float>& in, double in_rate_hz, double out_rate_hz,
                            const ResampleOptions& options) {
  return Resampler(in_rate_hz, out_rate_hz, options).Process(in);
}

}  // namespace ecg
