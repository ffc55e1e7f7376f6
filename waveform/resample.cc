#include "waveform/resample.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "waveform/error.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define ECG_MULTIVERSION __attribute__((target_clones("avx2", "default")))
#else
#define ECG_MULTIVERSION
#endif

namespace ecg {

// Taps are padded to a multiple of the accumulator width so the inner loop has no remainder.
constexpr size_t kLanes = 8;
constexpr size_t kMaxCachedBanks = 64;
constexpr double kPi = 3.14159265358979323846;

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

double BesselI0(double x) {
  double sum = 1, term = 1;
  for (int k = 1; k < 64 && term > 1e-12 * sum; ++k) {
    term *= (x / (2 * k)) * (x / (2 * k));
    sum += term;
  }
  return sum;
}

double Sinc(double x) {
  return x == 0 ? 1.0 : std::sin(kPi * x) / (kPi * x);
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
  bank->taps = (2 * half + kLanes - 1) / kLanes * kLanes;
  bank->coeffs.assign(bank->phases * bank->taps, 0.0f);
  const double cutoff = o.cutoff * scale;  // fraction of the input Nyquist frequency
  const double norm = BesselI0(o.kaiser_beta);
  for (size_t phase = 0; phase < bank->phases; ++phase) {
    const double frac = static_cast<double>(phase) / bank->phases;
    std::vector<double> h(2 * half);
    double sum = 0;
    for (size_t i = 0; i < h.size(); ++i) {
      const double d = frac - (static_cast<double>(i) - bank->left_pad);
      const double r = d / half_width;
      if (std::fabs(r) >= 1) continue;
      h[i] = cutoff * Sinc(cutoff * d) * BesselI0(o.kaiser_beta * std::sqrt(1 - r * r)) / norm;
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
// Lanes is under-aligned on purpose: it lives in std::vector<float> storage (unaligned moves),
// and GCC lets vector types alias their element type.
typedef float Lanes __attribute__((vector_size(kLanes * sizeof(float)), aligned(alignof(float))));

// The hot loop. Two partial sums (even and odd taps) shorten the dependency chain.
ECG_MULTIVERSION
void RunBank(const FilterBank& bank, const Lanes* padded, Lanes* out, size_t count) {
  const size_t taps = bank.taps, phases = bank.phases;
  const size_t step_base = bank.step / phases, step_phase = bank.step % phases;
  size_t base = 0, phase = 0;
  for (size_t j = 0; j < count; ++j) {
    const float* h = bank.coeffs.data() + phase * taps;
    const Lanes* x = padded + base;
    Lanes even = h[0] * x[0], odd = h[1] * x[1];
    for (size_t k = 2; k < taps; k += 2) {
      even += h[k] * x[k];
      odd += h[k + 1] * x[k + 1];
    }
    out[j] = even + odd;
    base += step_base;
    phase += step_phase;
    if (phase >= phases) {
      phase -= phases;
      ++base;
    }
  }
}

// Up to kLanes channels interleaved into padded (total x kLanes floats), left_pad samples
// before x[0], extended past both ends by point reflection (x[-k] = 2 x[0] - x[k]), which
// continues the value and slope of the signal; beyond one reflection the edge is held.
void Interleave(const float* const* in, size_t channels, size_t n, size_t left_pad, float* padded,
                size_t total) {
  for (size_t c = 0; c < channels; ++c) {
    const float* x = in[c];
    for (size_t t = 0; t < left_pad; ++t) {
      const size_t k = std::min(left_pad - t, n - 1);
      padded[t * kLanes + c] = 2 * x[0] - x[k];
    }
    float* middle = padded + left_pad * kLanes + c;
    for (size_t t = 0; t < n; ++t) middle[t * kLanes] = x[t];
    for (size_t t = left_pad + n; t < total; ++t) {
      const size_t k = std::min(t - left_pad - (n - 1), n - 1);
      padded[t * kLanes + c] = 2 * x[n - 1] - x[n - 1 - k];
    }
  }
}

}  // namespace

Resampler::Resampler(double in_rate_hz, double out_rate_hz, const ResampleOptions& options)
    : in_rate_hz_(in_rate_hz), out_rate_hz_(out_rate_hz) {
  CheckOptions(in_rate_hz, out_rate_hz, options);
  if (in_rate_hz != out_rate_hz) bank_ = CachedBank(ReduceRatio(in_rate_hz, out_rate_hz), options);
}

size_t Resampler::OutputLength(size_t n) const {
  return static_cast<size_t>(std::llround(static_cast<double>(n) * out_rate_hz_ / in_rate_hz_));
}

size_t Resampler::taps_per_output() const {
  return bank_ ? bank_->taps : 0;
}

void Resampler::Process(const float* in, size_t n, float* out) const {
  ProcessChannels(&in, 1, n, &out);
}

void Resampler::ProcessChannels(const float* const* in, size_t channels, size_t n,
                                float* const* out) const {
  const size_t count = OutputLength(n);
  if (count == 0) return;
  if (!bank_) {
    for (size_t c = 0; c < channels; ++c) std::memcpy(out[c], in[c], n * sizeof(float));
    return;
  }
  // The last output reads padded positions up to floor((count-1)*M/L) + taps - 1.
  const size_t last_base = (count - 1) / bank_->phases * bank_->step +
                           (count - 1) % bank_->phases * bank_->step / bank_->phases;
  const size_t total = std::max(last_base + bank_->taps, bank_->left_pad + n);
  thread_local std::vector<float> padded_storage, block_storage;
  // Unused lanes keep finite stale values (resize zero-fills new storage); their outputs are
  // discarded.
  padded_storage.resize(total * kLanes);
  block_storage.resize(count * kLanes);
  auto* padded = reinterpret_cast<Lanes*>(padded_storage.data());
  auto* block = reinterpret_cast<Lanes*>(block_storage.data());
  for (size_t first = 0; first < channels; first += kLanes) {
    const size_t width = std::min(kLanes, channels - first);
    Interleave(in + first, width, n, bank_->left_pad, padded_storage.data(), total);
    RunBank(*bank_, padded, block, count);
    for (size_t c = 0; c < width; ++c) {
      float* y = out[first + c];
      for (size_t j = 0; j < count; ++j) y[j] = block_storage[j * kLanes + c];
    }
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
