// libFuzzer target: DecodeEcg on arbitrary bytes must either return a record whose groups are
// internally consistent or throw ecg::Error; anything else (a crash, a sanitizer report, another
// exception, an allocation beyond -malloc_limit_mb) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "waveform/dicom/decoder.h"
#include "waveform/error.h"

namespace {

void CheckGroup(const ecg::WaveformGroup& group, bool decoded) {
  for (const ecg::Channel& channel : group.channels) {
    if (decoded && channel.samples_uV.size() != group.samples_per_channel) std::abort();
    if (channel.padding_samples > group.samples_per_channel) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ecg::dicom::DecodeOptions options;
  options.max_samples_per_channel = 1 << 20;  // keep each input cheap; the caps are the defence
  try {
    const ecg::EcgRecord record = ecg::dicom::DecodeEcg(data, size, options);
    CheckGroup(record.rhythm, true);
    if (record.median_beat) CheckGroup(*record.median_beat, true);
    for (const ecg::WaveformGroup& group : record.other_groups) CheckGroup(group, true);
  } catch (const ecg::Error&) {
    // refusing bad input is the expected outcome
  }
  return 0;
}
