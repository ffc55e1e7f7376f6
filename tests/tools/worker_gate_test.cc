// The training worker's promotion gate (tools/worker_gate.h), on hand-made metric objects.
#include <gtest/gtest.h>

#include "tools/worker_gate.h"
#include "waveform/error.h"

namespace ecg::tools {
namespace {

using nlohmann::json;

json Metrics(json top1, json recall, json rmse) {
  return {{"fingerprint_top1", top1}, {"same_patient_recall10", recall}, {"lead_rmse_mv", rmse}};
}

TEST(WorkerGate, PromotesAModelThatIsNotWorseThanTheActiveWithinTheTolerances) {
  const GateDecision d =
      CompareWithActive(Metrics(0.79, 0.50, 0.104), Metrics(0.80, 0.51, 0.100), GateOptions{});
  EXPECT_TRUE(d.promote) << d.reason;
  EXPECT_EQ(d.reason.rfind("promoted: fingerprint_top1 0.79 vs active 0.8", 0), 0u) << d.reason;
}

TEST(WorkerGate, RefusesAModelWorseThanTheActiveOnOneMetricAndSaysWhich) {
  const GateDecision d =
      CompareWithActive(Metrics(0.90, 0.60, 0.120), Metrics(0.80, 0.51, 0.100), GateOptions{});
  EXPECT_FALSE(d.promote);
  EXPECT_NE(d.reason.find("lead_rmse_mv 0.12 vs active 0.1 (worse beyond tolerance 0.05)"),
            std::string::npos)
      << d.reason;
}

TEST(WorkerGate, ANegativeToleranceDemandsAnImprovement) {
  GateOptions strict;
  strict.top1_tolerance = -0.05;
  EXPECT_FALSE(CompareWithActive(Metrics(0.84, 0.5, 0.1), Metrics(0.80, 0.5, 0.1), strict).promote);
  EXPECT_TRUE(CompareWithActive(Metrics(0.86, 0.5, 0.1), Metrics(0.80, 0.5, 0.1), strict).promote);
}

TEST(WorkerGate, SkipsMetricsTheActiveLacksButRefusesWhenTheNewModelLacksOne) {
  EXPECT_TRUE(
      CompareWithActive(Metrics(0.5, 0.5, 0.1), Metrics(nullptr, nullptr, 0.1), GateOptions{})
          .promote);
  const GateDecision d =
      CompareWithActive(Metrics(nullptr, 0.5, 0.1), Metrics(0.8, 0.5, 0.1), GateOptions{});
  EXPECT_FALSE(d.promote);
  EXPECT_NE(d.reason.find("fingerprint_top1 could not be measured"), std::string::npos);
}

TEST(WorkerGate, WithoutAnActiveModelTheNewOneMustBeatTheRandomEncoder) {
  const GateOptions o;
  EXPECT_TRUE(CompareWithRandom(Metrics(1.0, 1.0, 0.08), Metrics(1.0, 1.0, 0.30), o).promote);
  EXPECT_TRUE(CompareWithRandom(Metrics(0.99, 1.0, 0.08), Metrics(1.0, 1.0, 0.30), o).promote);
  const GateDecision equal = CompareWithRandom(Metrics(0.5, 0.5, 0.3), Metrics(0.5, 0.5, 0.3), o);
  EXPECT_FALSE(equal.promote);
  EXPECT_NE(equal.reason.find("no active model"), std::string::npos);
  EXPECT_FALSE(CompareWithRandom(Metrics(0.4, 0.9, 0.1), Metrics(0.5, 0.5, 0.3), o).promote);
}

TEST(WorkerGate, OptionsComeFromJsonAndRejectUnknownKeys) {
  const GateOptions o = GateOptions::FromJson({{"rmse_tolerance", 0.1}});
  EXPECT_DOUBLE_EQ(o.rmse_tolerance, 0.1);
  EXPECT_DOUBLE_EQ(o.top1_tolerance, 0.02);
  EXPECT_THROW(GateOptions::FromJson({{"top1", 0.1}}), Error);
  EXPECT_THROW(GateOptions::FromJson({{"top1_tolerance", "x"}}), Error);
}

}  // namespace
}  // namespace ecg::tools
