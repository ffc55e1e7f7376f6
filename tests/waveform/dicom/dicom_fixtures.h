// Test fixtures for the DICOM codec tests: deterministic synthetic signals, their encoded bytes,
// and a way to damage an encoded file with DCMTK (to build the malformed inputs the decoder must
// refuse). Header-only so that every *_test.cc of dicom_tests can use it.
#pragma once

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "waveform/dicom/dataset_access.h"
#include "waveform/dicom/decoder.h"
#include "waveform/dicom/encoder.h"
#include "waveform/ecg_record.h"
#include "waveform/ecg_signal.h"
#include "waveform/error.h"

namespace ecg::dicom::testing {

// Twelve recorded leads: a few sinusoids per lead plus seeded noise, amplitude about +-2 mV.
inline EcgSignal MakeSignal(double rate_hz, double seconds, uint32_t seed = 7) {
  const size_t n = static_cast<size_t>(rate_hz * seconds);
  EcgSignal signal(rate_hz, n);
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 15.0f);
  for (Lead lead : AllLeads()) {
    const double k = 1.0 + LeadIndex(lead);
    float* out = signal.lead_uV(lead);
    for (size_t t = 0; t < n; ++t) {
      const double s = t / rate_hz;
      out[t] = static_cast<float>(1500.0 * std::sin(2 * M_PI * 1.2 * s + k) +
                                  300.0 * std::sin(2 * M_PI * 7.0 * s * k / 4)) +
               noise(rng);
    }
    signal.set_status(lead, LeadStatus::kRecorded);
  }
  return signal;
}

// Marks III, aVR, aVL and aVF (the leads computable from I and II) with `status`.
inline void SetDerivableLeads(EcgSignal* signal, LeadStatus status) {
  for (Lead lead : {Lead::kIII, Lead::kAVR, Lead::kAVL, Lead::kAVF}) {
    signal->set_status(lead, status);
  }
}

inline EcgMetadata MakeMetadata() {
  EcgMetadata m;
  m.patient_id = "TEST-0001";
  m.issuer_of_patient_id = "ORTHANC-ECG-TESTS";
  m.birth_date = "19700101";
  m.sex = "F";
  m.patient_age_years = 56;
  m.acquisition_time_ms = int64_t{1700000000000};  // 2023-11-14 22:13:20 UTC
  m.utc_offset_minutes = 60;
  m.manufacturer = "orthanc-ecg tests";
  m.model = "fixture";
  m.low_frequency_filter_hz = 0.05;
  m.high_frequency_filter_hz = 150;
  m.notch_filter_hz = 50;
  m.measurements.push_back({"QRS Duration", "SCPECG:5.13.5-9", 92, "ms"});
  m.statements.push_back("SINUS RHYTHM");
  return m;
}

inline std::vector<uint8_t> EncodeSignal(const EcgSignal& signal) {
  return EncodeEcg(MakeMetadata(), signal);
}

// Parses bytes, lets `edit` change the dataset, writes it back.
inline std::vector<uint8_t> Edit(const std::vector<uint8_t>& bytes,
                                 const std::function<void(DcmDataset&)>& edit) {
  auto file = ParseDicom(bytes.data(), bytes.size());
  edit(*file->getDataset());
  return SerialiseDicom(*file);
}

// Edits the first multiplex group (WaveformSequence item 0).
inline std::vector<uint8_t> EditGroup(const std::vector<uint8_t>& bytes,
                                      const std::function<void(DcmItem&)>& edit) {
  return Edit(bytes, [&](DcmDataset& dataset) {
    DcmItem* group = nullptr;
    dataset.findAndGetSequenceItem(DCM_WaveformSequence, group, 0);
    edit(*group);
  });
}

// Edits channel `index` of the first multiplex group.
inline std::vector<uint8_t> EditChannel(const std::vector<uint8_t>& bytes, long index,
                                        const std::function<void(DcmItem&)>& edit) {
  return EditGroup(bytes, [&](DcmItem& group) {
    DcmItem* channel = nullptr;
    group.findAndGetSequenceItem(DCM_ChannelDefinitionSequence, channel, index);
    edit(*channel);
  });
}

// The error DecodeEcg throws for bytes (a default Error with an empty message if none).
inline Error DecodeError(const std::vector<uint8_t>& bytes, const DecodeOptions& options = {}) {
  try {
    DecodeEcg(bytes.data(), bytes.size(), options);
  } catch (const Error& e) {
    return e;
  }
  return Error(ErrorCode::kConflict, "");
}

}  // namespace ecg::dicom::testing
