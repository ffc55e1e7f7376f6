// EcgSignal: a 12-lead ECG as the rest of orthanc-ecg sees it.
//
// Layout, fixed once: lead-major float samples in microvolts, data_uV()[LeadIndex(lead) *
// samples_per_lead() + t], the twelve leads always present in canonical order (waveform/lead.h).
// A lead that the device did not record and that cannot be derived is all zeros with status
// kMissing; a lead computed from others (III = II - I, ...) has status kDerived.
//
// The canonical form (waveform/canonical.h) is an EcgSignal at kCanonicalRate_hz whose samples
// are whole microvolts, so that storing it as integers is lossless.
//
// An EcgSignal is a value type: copyable, movable, not thread-safe for concurrent mutation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "waveform/lead.h"
#include "waveform/sample_buffer.h"

namespace ecg {

// How a lead came to be. The values are stored on disk and in the database: do not change them.
enum class LeadStatus : uint8_t {
  kMissing = 0,
  kRecorded = 1,
  kDerived = 2,
};

// The per-lead status of all twelve leads, packable into 24 bits (2 bits per lead, lead I in
// the lowest bits) for files and database columns.
class LeadMask {
 public:
  LeadMask() { status_.fill(LeadStatus::kMissing); }

  LeadStatus status(Lead lead) const { return status_[LeadIndex(lead)]; }
  void set_status(Lead lead, LeadStatus s) { status_[LeadIndex(lead)] = s; }
  bool present(Lead lead) const { return status(lead) != LeadStatus::kMissing; }
  size_t CountRecorded() const;
  size_t CountPresent() const;

  uint32_t Pack() const;
  // REQUIRES: packed came from Pack(); unknown 2-bit values (3) read as kMissing.
  static LeadMask Unpack(uint32_t packed);

  bool operator==(const LeadMask& o) const { return status_ == o.status_; }
  bool operator!=(const LeadMask& o) const { return !(*this == o); }

 private:
  std::array<LeadStatus, kLeadCount> status_;
};

class EcgSignal {
 public:
  // All leads kMissing and zero. REQUIRES: sample_rate_hz > 0.
  EcgSignal(double sample_rate_hz, size_t samples_per_lead);
  // All leads kMissing, every sample INDETERMINATE (waveform/sample_buffer.h): for a producer
  // that writes every sample, zeros included for the leads it leaves kMissing, before anything
  // reads them (Canonicalise). REQUIRES: sample_rate_hz > 0.
  struct UninitialisedSamples {};
  EcgSignal(double sample_rate_hz, size_t samples_per_lead, UninitialisedSamples);
  EcgSignal() : EcgSignal(500.0, 0) {}

  double sample_rate_hz() const { return sample_rate_hz_; }
  size_t samples_per_lead() const { return samples_per_lead_; }
  double duration_ms() const { return 1000.0 * samples_per_lead_ / sample_rate_hz_; }

  float* lead_uV(Lead lead) { return data_uV_.data() + LeadIndex(lead) * samples_per_lead_; }
  const float* lead_uV(Lead lead) const {
    return data_uV_.data() + LeadIndex(lead) * samples_per_lead_;
  }
  // All samples, lead-major, size kLeadCount * samples_per_lead().
  const SampleBuffer& data_uV() const { return data_uV_; }
  SampleBuffer& mutable_data_uV() { return data_uV_; }

  const LeadMask& mask() const { return mask_; }
  LeadMask& mutable_mask() { return mask_; }
  LeadStatus status(Lead lead) const { return mask_.status(lead); }
  void set_status(Lead lead, LeadStatus s) { mask_.set_status(lead, s); }

  // Fills the limb leads that are missing and computable from I and II (Einthoven and Goldberger:
  // III = II - I, aVR = -(I + II)/2, aVL = I - II/2, aVF = II - I/2), marking them kDerived. Also
  // recovers I or II from the other and III when only one of them is missing. Leaves recorded
  // leads untouched.
  void DeriveLimbLeads();

 private:
  double sample_rate_hz_;
  size_t samples_per_lead_;
  SampleBuffer data_uV_;
  LeadMask mask_;
};

}  // namespace ecg
