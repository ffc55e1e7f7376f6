#include "waveform/measurements_json.h"

#include <gtest/gtest.h>

#include "tests/waveform/measure_signals.h"
#include "waveform/error.h"

namespace ecg {
namespace {

TEST(MeasurementsJson, HoldsEveryFieldAsANumberOrNullWithRhythmQualityAndReasons) {
  testing::KnownEcgOptions o;
  o.fibrillation = true;
  const nlohmann::json j = MeasurementsToJson(MeasureEcg(testing::MakeKnownEcg(o).signal));
  for (const std::string& f : MeasurementFieldNames()) {
    ASSERT_TRUE(j.contains(f)) << f;
    EXPECT_TRUE(j[f].is_number() || j[f].is_null()) << f;
  }
  EXPECT_TRUE(j["pr_ms"].is_null());
  EXPECT_TRUE(j["reasons"]["pr_ms"].is_string());
  EXPECT_FALSE(j["reasons"].contains("qrs_ms"));
  EXPECT_EQ(j["rhythm"], "atrial fibrillation/flutter (no P wave)");
  EXPECT_EQ(j["quality"]["irregular_rr"], true);
  EXPECT_EQ(j["quality"]["leads_used"], 12);
  EXPECT_EQ(j["version"], kMeasureVersion);
}

TEST(MeasurementsJson, ReadsBackWhatItWrote) {
  const EcgMeasurements m = MeasureEcg(testing::MakeKnownEcg({}).signal);
  const nlohmann::json j = MeasurementsToJson(m);
  const EcgMeasurements back = MeasurementsFromJson(j);
  for (const std::string& f : MeasurementFieldNames()) {
    EXPECT_EQ(MeasurementField(back, f), MeasurementField(m, f)) << f;
  }
  EXPECT_EQ(back.rhythm, m.rhythm);
  EXPECT_EQ(back.quality.beats, m.quality.beats);
  EXPECT_EQ(MeasurementsToJson(back), j);
  EXPECT_THROW(MeasurementsFromJson(nlohmann::json::array()), Error);
}

}  // namespace
}  // namespace ecg
