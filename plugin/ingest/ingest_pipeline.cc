#include "plugin/ingest/ingest_pipeline.h"

#include <cstdint>

#include "waveform/canonical.h"
#include "waveform/dicom/decoder.h"
#include "waveform/measurements_json.h"

namespace ecg::plugin {

IngestedEcg DecodeForStore(const std::string& dicom_bytes, bool measure) {
  dicom::DecodeOptions options;
  options.decode_other_groups = false;  // only the rhythm and the median beat are stored
  EcgRecord record = dicom::DecodeEcg(reinterpret_cast<const uint8_t*>(dicom_bytes.data()),
                                      dicom_bytes.size(), options);
  IngestedEcg ecg;
  ecg.signal = Canonicalise(record.rhythm);
  ecg.source_rate_hz = record.rhythm.sample_rate_hz;
  if (record.median_beat) ecg.median_beat = Canonicalise(*record.median_beat);
  ecg.metadata = std::move(record.metadata);
  if (!measure) return ecg;
  MeasureOptions measure_options;
  measure_options.source_sample_rate_hz = ecg.source_rate_hz;
  ecg.product_measurements_json =
      MeasurementsToJson(MeasureEcg(ecg.signal, measure_options)).dump();
  ecg.product_measurements_version = kMeasureVersion;
  return ecg;
}

}  // namespace ecg::plugin
