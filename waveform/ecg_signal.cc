#include "waveform/ecg_signal.h"

#include "waveform/error.h"

namespace ecg {

size_t LeadMask::CountRecorded() const {
  size_t n = 0;
  for (LeadStatus s : status_) n += (s == LeadStatus::kRecorded);
  return n;
}

size_t LeadMask::CountPresent() const {
  size_t n = 0;
  for (LeadStatus s : status_) n += (s != LeadStatus::kMissing);
  return n;
}

uint32_t LeadMask::Pack() const {
  uint32_t packed = 0;
  for (size_t i = 0; i < kLeadCount; ++i) {
    packed |= static_cast<uint32_t>(status_[i]) << (2 * i);
  }
  return packed;
}

LeadMask LeadMask::Unpack(uint32_t packed) {
  LeadMask mask;
  for (size_t i = 0; i < kLeadCount; ++i) {
    const uint32_t v = (packed >> (2 * i)) & 3u;
    mask.status_[i] = v <= 2 ? static_cast<LeadStatus>(v) : LeadStatus::kMissing;
  }
  return mask;
}

EcgSignal::EcgSignal(double sample_rate_hz, size_t samples_per_lead)
    : EcgSignal(sample_rate_hz, samples_per_lead, UninitialisedSamples{}) {
  data_uV_.assign(data_uV_.size(), 0.0f);
}

EcgSignal::EcgSignal(double sample_rate_hz, size_t samples_per_lead, UninitialisedSamples)
    : sample_rate_hz_(sample_rate_hz), samples_per_lead_(samples_per_lead) {
  if (!(sample_rate_hz > 0)) {
    throw Error::InvalidArgument("EcgSignal: sample rate must be positive");
  }
  data_uV_.resize(kLeadCount * samples_per_lead);
}

void EcgSignal::DeriveLimbLeads() {
  const size_t n = samples_per_lead_;
  auto derive = [&](Lead target, auto formula) {
    float* out = lead_uV(target);
    for (size_t t = 0; t < n; ++t) out[t] = formula(t);
    set_status(target, LeadStatus::kDerived);
  };
  const float* i_lead = lead_uV(Lead::kI);
  const float* ii_lead = lead_uV(Lead::kII);
  const float* iii_lead = lead_uV(Lead::kIII);
  if (!mask_.present(Lead::kI) && mask_.present(Lead::kII) && mask_.present(Lead::kIII)) {
    derive(Lead::kI, [&](size_t t) { return ii_lead[t] - iii_lead[t]; });
  }
  if (!mask_.present(Lead::kII) && mask_.present(Lead::kI) && mask_.present(Lead::kIII)) {
    derive(Lead::kII, [&](size_t t) { return i_lead[t] + iii_lead[t]; });
  }
  if (!mask_.present(Lead::kI) || !mask_.present(Lead::kII)) return;
  if (!mask_.present(Lead::kIII)) {
    derive(Lead::kIII, [&](size_t t) { return ii_lead[t] - i_lead[t]; });
  }
  if (!mask_.present(Lead::kAVR)) {
    derive(Lead::kAVR, [&](size_t t) { return -0.5f * (i_lead[t] + ii_lead[t]); });
  }
  if (!mask_.present(Lead::kAVL)) {
    derive(Lead::kAVL, [&](size_t t) { return i_lead[t] - 0.5f * ii_lead[t]; });
  }
  if (!mask_.present(Lead::kAVF)) {
    derive(Lead::kAVF, [&](size_t t) { return ii_lead[t] - 0.5f * i_lead[t]; });
  }
}

}  // namespace ecg
