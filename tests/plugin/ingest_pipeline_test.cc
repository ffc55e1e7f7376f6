#include "plugin/ingest/ingest_pipeline.h"

#include <gtest/gtest.h>

#include "waveform/dicom/encoder.h"
#include "waveform/synth.h"

namespace ecg::plugin {
namespace {

TEST(IngestPipeline, KeepsTheFilesOwnRateBesideTheCanonicalSignal) {
  SynthOptions options;
  options.patients = 1;
  options.ecgs_per_patient = 1;
  options.sample_rate_hz = 250.0;
  const SyntheticEcg synthetic = SynthesiseCohort(options).at(0);
  const std::vector<uint8_t> bytes = dicom::EncodeEcg(synthetic.metadata, synthetic.signal);

  const IngestedEcg ecg = DecodeForStore(std::string(bytes.begin(), bytes.end()));
  EXPECT_EQ(ecg.source_rate_hz, 250.0);
  EXPECT_EQ(ecg.signal.sample_rate_hz(), 500.0);
  EXPECT_EQ(ecg.signal.samples_per_lead(), 5000u);
  EXPECT_EQ(ecg.metadata.sop_instance_uid, synthetic.metadata.sop_instance_uid);
}

}  // namespace
}  // namespace ecg::plugin
