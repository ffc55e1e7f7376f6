#include "waveform/dicom/encoder.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <fstream>

#include "waveform/dicom/dataset_access.h"
#include "waveform/dicom/encoder_parts.h"
#include "waveform/dicom/sop_class.h"
#include "waveform/error.h"

namespace ecg::dicom {

namespace {

constexpr double kMinStandardRate_hz = 200;
constexpr double kMaxStandardRate_hz = 1000;
constexpr double kMaxTwelveLeadDuration_ms = 16000;

}  // namespace

std::string_view ChooseSopClass(double sample_rate_hz, double duration_ms) {
  if (sample_rate_hz < kMinStandardRate_hz || sample_rate_hz > kMaxStandardRate_hz) {
    return kAmbulatoryEcgSopClass;
  }
  return duration_ms <= kMaxTwelveLeadDuration_ms ? kTwelveLeadEcgSopClass : kGeneralEcgSopClass;
}

std::vector<uint8_t> EncodeEcg(const EcgMetadata& metadata, const EcgSignal& signal,
                               const EncodeOptions& options) {
  if (signal.samples_per_lead() == 0) throw Error::InvalidArgument("EncodeEcg: empty signal");
  if (signal.mask().CountRecorded() == 0) {
    throw Error::InvalidArgument("EncodeEcg: no recorded lead to write");
  }
  if (!(options.resolution_uV > 0)) {
    throw Error::InvalidArgument("EncodeEcg: resolution_uV must be positive");
  }
  DcmFileFormat file;
  DcmDataset& dataset = *file.getDataset();
  WriteIdentity(dataset, metadata, ChooseSopClass(signal.sample_rate_hz(), signal.duration_ms()));
  WriteWaveform(dataset, metadata, signal, options);
  WriteAnnotations(dataset, metadata);
  return SerialiseDicom(file);
}

void WriteEcgFile(const std::string& path, const EcgMetadata& metadata, const EcgSignal& signal,
                  const EncodeOptions& options) {
  const std::vector<uint8_t> bytes = EncodeEcg(metadata, signal, options);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw Error::Unavailable("cannot write " + path);
}

}  // namespace ecg::dicom
