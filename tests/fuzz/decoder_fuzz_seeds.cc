// Writes the decoder fuzzer's seed corpus into the directory given as argv[1]: small valid ECGs
// from the encoder (12 and 8 leads, 100 and 500 Hz), an 8-bit variant and a two-group variant,
// so that mutations start from files that reach the waveform code. Deterministic.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "waveform/dicom/dataset_access.h"
#include "waveform/dicom/encoder.h"

namespace {

using ecg::EcgSignal;

EcgSignal SmallSignal(double rate_hz, size_t samples, bool all_leads) {
  EcgSignal signal(rate_hz, samples);
  for (ecg::Lead lead : ecg::AllLeads()) {
    const bool derivable = ecg::LeadIndex(lead) >= 2 && ecg::LeadIndex(lead) < 6;  // III..aVF
    if (!all_leads && derivable) continue;
    float* out = signal.lead_uV(lead);
    for (size_t t = 0; t < samples; ++t)
      out[t] = 800.0f * std::sin(0.3f * t + ecg::LeadIndex(lead));
    signal.set_status(lead, ecg::LeadStatus::kRecorded);
  }
  return signal;
}

ecg::EcgMetadata Metadata() {
  ecg::EcgMetadata m;
  m.patient_id = "SEED";
  m.acquisition_time_ms = int64_t{1600000000000};
  m.measurements.push_back({"QRS Duration", "SCPECG:5.13.5-9", 90, "ms"});
  m.statements.push_back("SINUS RHYTHM");
  return m;
}

// Rewrites the first group as 8-bit signed samples (values halved into int8).
std::vector<uint8_t> EightBit(const std::vector<uint8_t>& bytes) {
  auto file = ecg::dicom::ParseDicom(bytes.data(), bytes.size());
  DcmItem* group = nullptr;
  file->getDataset()->findAndGetSequenceItem(DCM_WaveformSequence, group, 0);
  DcmElement* data = nullptr;
  group->findAndGetElement(DCM_WaveformData, data);
  Uint16* words = nullptr;
  data->getUint16Array(words);
  std::vector<Uint8> small(data->getLength() / 2);
  for (size_t i = 0; i < small.size(); ++i) small[i] = static_cast<Uint8>(words[i] >> 8);
  group->findAndDeleteElement(DCM_WaveformData);
  group->putAndInsertUint8Array(DCM_WaveformData, small.data(), small.size());
  group->putAndInsertUint16(DCM_WaveformBitsAllocated, 8);
  group->putAndInsertString(DCM_WaveformSampleInterpretation, "SB");
  return ecg::dicom::SerialiseDicom(*file);
}

// Appends a copy of the first group labelled MEDIAN BEAT.
std::vector<uint8_t> TwoGroups(const std::vector<uint8_t>& bytes) {
  auto file = ecg::dicom::ParseDicom(bytes.data(), bytes.size());
  DcmSequenceOfItems* sequence = nullptr;
  file->getDataset()->findAndGetSequence(DCM_WaveformSequence, sequence);
  auto* copy = new DcmItem(*sequence->getItem(0));
  copy->putAndInsertString(DCM_MultiplexGroupLabel, "MEDIAN BEAT");
  sequence->insert(copy);
  return ecg::dicom::SerialiseDicom(*file);
}

void Write(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: decoder_fuzz_seeds DIR\n";
    return 1;
  }
  const std::string dir = argv[1];
  const auto twelve = ecg::dicom::EncodeEcg(Metadata(), SmallSignal(500, 40, true));
  Write(dir + "/twelve-lead-500hz.dcm", twelve);
  Write(dir + "/eight-lead-100hz.dcm",
        ecg::dicom::EncodeEcg(Metadata(), SmallSignal(100, 20, false)));
  Write(dir + "/eight-bit.dcm", EightBit(twelve));
  Write(dir + "/two-groups.dcm", TwoGroups(twelve));
  return 0;
}
