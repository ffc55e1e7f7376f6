#include "waveform/canonical.h"

#include <algorithm>
#include <array>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <cmath>
#include <string>
#include <vector>

#include "waveform/error.h"
#include "waveform/resample.h"

namespace ecg {
namespace {

// Rounds to the nearest integer, ties to even: adding and subtracting 1.5 * 2^23 leaves no
// fraction bits, exact for |x| < 2^22 (4.2 V, far beyond any ECG). Written on 4-float vectors
// (native SSE2 width) so it is vectorised at -O2; lanes beyond 2^22 (or NaN) are left as they
// were and, if there are any, rounded by std::nearbyint afterwards.
void RoundPortable(float* x, size_t n) {
  constexpr size_t kLanes = 4;
  typedef float Block __attribute__((vector_size(kLanes * sizeof(float)), aligned(alignof(float))));
  typedef int32_t Mask __attribute__((vector_size(kLanes * sizeof(int32_t))));
  constexpr float kMagic = 12582912.0f;
  constexpr float kExactBelow = 4194304.0f;
  Mask any_large = {};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    auto* block = reinterpret_cast<Block*>(x + i);
    const Block v = *block;
    const Mask small = (v < kExactBelow) & (v > -kExactBelow);
    any_large |= ~small;
    *block = small ? (v + kMagic) - kMagic : v;
  }
  bool large = false;
  for (size_t lane = 0; lane < kLanes; ++lane) large |= any_large[lane] != 0;
  for (; i < n; ++i) {
    if (std::fabs(x[i]) < kExactBelow) {
      x[i] = (x[i] + kMagic) - kMagic;
    } else {
      large = true;
    }
  }
  for (i = large ? 0 : n; i < n; ++i) x[i] = std::nearbyint(x[i]);
}

#if defined(__x86_64__) && defined(__GNUC__)
// The same with AVX's rounding instruction (current rounding mode: nearest, ties to even).
__attribute__((target("avx"))) void RoundAvx(float* x, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    _mm256_storeu_ps(x + i, _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
  for (; i < n; ++i) x[i] = std::nearbyint(x[i]);
}
#endif

// Whole microvolts, nearest, ties to even; identical results on both paths.
void RoundToWholeMicrovolts(float* x, size_t n) {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool has_avx = __builtin_cpu_supports("avx");
  if (has_avx) return RoundAvx(x, n);
#endif
  RoundPortable(x, n);
}

void CheckInput(const WaveformGroup& group, const CanonicalOptions& options) {
  auto bad_rate = [](double r) { return !(r > 0) || !std::isfinite(r); };
  if (bad_rate(options.sample_rate_hz)) {
    throw Error::InvalidArgument("Canonicalise: output rate must be positive, got " +
                                 std::to_string(options.sample_rate_hz) + " Hz");
  }
  if (bad_rate(group.sample_rate_hz)) {
    throw Error::InvalidArgument("Canonicalise: group '" + group.label +
                                 "' has a non-positive sample rate");
  }
  for (const Channel& channel : group.channels) {
    if (channel.samples_uV.size() != group.samples_per_channel) {
      throw Error::InvalidArgument(
          "Canonicalise: channel '" + channel.label + "' of group '" + group.label + "' has " +
          std::to_string(channel.samples_uV.size()) + " samples, the group says " +
          std::to_string(group.samples_per_channel));
    }
  }
}

// The first channel of each standard lead, or nullptr.
std::array<const Channel*, kLeadCount> PickLeadChannels(const WaveformGroup& group) {
  std::array<const Channel*, kLeadCount> picked{};
  for (const Channel& channel : group.channels) {
    if (channel.lead && !picked[LeadIndex(*channel.lead)])
      picked[LeadIndex(*channel.lead)] = &channel;
  }
  const bool has_precordial = picked[LeadIndex(Lead::kV1)] || picked[LeadIndex(Lead::kV2)] ||
                              picked[LeadIndex(Lead::kV3)] || picked[LeadIndex(Lead::kV4)] ||
                              picked[LeadIndex(Lead::kV5)] || picked[LeadIndex(Lead::kV6)];
  if (!picked[LeadIndex(Lead::kI)] && !picked[LeadIndex(Lead::kII)] && !has_precordial) {
    throw Error::Unsupported("Canonicalise: group '" + group.label +
                             "' has neither lead I, lead II nor a precordial lead");
  }
  return picked;
}

}  // namespace

EcgSignal Canonicalise(const WaveformGroup& group, const CanonicalOptions& options) {
  CheckInput(group, options);
  const auto picked = PickLeadChannels(group);
  const Resampler resampler(group.sample_rate_hz, options.sample_rate_hz);
  const size_t n = group.samples_per_channel;
  // Every sample is written below: resampled, or zero for the leads no channel gives.
  EcgSignal signal(options.sample_rate_hz, resampler.OutputLength(n),
                   EcgSignal::UninitialisedSamples{});
  std::vector<const float*> in;
  std::vector<float*> out;
  for (Lead lead : AllLeads()) {
    if (!picked[LeadIndex(lead)]) {
      std::fill_n(signal.lead_uV(lead), signal.samples_per_lead(), 0.0f);
      continue;
    }
    in.push_back(picked[LeadIndex(lead)]->samples_uV.data());
    out.push_back(signal.lead_uV(lead));
    signal.set_status(lead, LeadStatus::kRecorded);
  }
  resampler.ProcessChannels(in.data(), in.size(), n, out.data());
  // Round before deriving so that III = II - I holds exactly; then round what was derived
  // (aVR = -(I + II)/2 may end in .5).
  auto& data = signal.mutable_data_uV();
  RoundToWholeMicrovolts(data.data(), data.size());
  signal.DeriveLimbLeads();
  for (Lead lead : AllLeads()) {
    if (signal.status(lead) == LeadStatus::kDerived) {
      RoundToWholeMicrovolts(signal.lead_uV(lead), signal.samples_per_lead());
    }
  }
  return signal;
}

}  // namespace ecg
