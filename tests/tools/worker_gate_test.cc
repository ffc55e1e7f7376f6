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

GateDecision Compare(const json& candidate, const json& reference,
                     const GateOptions& options = {}) {
  return CompareWithReference(candidate, reference, "the active model run-1 (model 2)", options);
}

TEST(WorkerGate, PromotesAModelThatBeatsTheActiveOneAndRecordsBothValues) {
  const GateDecision d = Compare(Metrics(0.81, 0.51, 0.100), Metrics(0.80, 0.51, 0.100));
  EXPECT_TRUE(d.promote) << d.reason;
  EXPECT_EQ(d.reason,
            "promoted: the new model beats the active model run-1 (model 2) on the held-out "
            "patients: fingerprint_top1 0.81 vs 0.8 (better); same_patient_recall10 0.51 vs 0.51 "
            "(equal); lead_rmse_mv 0.1 vs 0.1 (equal)");
}

TEST(WorkerGate, RefusesAModelWorseOnAnyMetricEvenByALittleAndSaysWhich) {
  // The demo's run of issue 17: worse identity, better reconstruction. No tolerance lets it in.
  GateDecision d = Compare(Metrics(0.3571, 0.9, 0.08), Metrics(0.5, 0.5, 0.3));
  EXPECT_FALSE(d.promote);
  EXPECT_EQ(d.reason.rfind("not promoted: the new model does not beat", 0), 0u) << d.reason;
  EXPECT_NE(d.reason.find("fingerprint_top1 0.3571 vs 0.5 (worse)"), std::string::npos) << d.reason;
  d = Compare(Metrics(0.90, 0.60, 0.1001), Metrics(0.80, 0.51, 0.100));
  EXPECT_FALSE(d.promote);
  EXPECT_NE(d.reason.find("lead_rmse_mv 0.1001 vs 0.1 (worse)"), std::string::npos) << d.reason;
}

TEST(WorkerGate, AModelThatOnlyEqualsTheActiveOneIsNotPromoted) {
  const GateDecision d = Compare(Metrics(0.5, 0.5, 0.3), Metrics(0.5, 0.5, 0.3));
  EXPECT_FALSE(d.promote);
  EXPECT_NE(d.reason.find("(better on no gate metric)"), std::string::npos) << d.reason;
}

TEST(WorkerGate, AgainstModelZeroOnlyIdentityIsComparedAndTheRmseIsRecorded) {
  const json zero = Metrics(0.40, 0.57, nullptr);
  const GateDecision beats =
      CompareWithReference(Metrics(0.45, 0.57, 0.9), zero, "model zero (no model is active)", {});
  EXPECT_TRUE(beats.promote) << beats.reason;
  EXPECT_NE(beats.reason.find("beats model zero"), std::string::npos) << beats.reason;
  EXPECT_NE(beats.reason.find("lead_rmse_mv 0.9 (the reference has none: not compared)"),
            std::string::npos)
      << beats.reason;
  // The figures of issue 17's served model: worse than model zero on both.
  EXPECT_FALSE(CompareWithReference(Metrics(0.10, 0.37, 0.145), zero, "model zero", {}).promote);
  // Better lead reconstruction cannot buy identity.
  EXPECT_FALSE(CompareWithReference(Metrics(0.39, 0.60, 0.01), zero, "model zero", {}).promote);
}

TEST(WorkerGate, MarginsDemandAnImprovementOfThatSize) {
  GateOptions strict;
  strict.top1_margin = 0.05;
  EXPECT_FALSE(Compare(Metrics(0.84, 0.5, 0.1), Metrics(0.80, 0.5, 0.1), strict).promote);
  EXPECT_TRUE(Compare(Metrics(0.86, 0.5, 0.1), Metrics(0.80, 0.5, 0.1), strict).promote);
  strict.rmse_margin = 0.1;  // 10% lower RMSE needed
  EXPECT_FALSE(Compare(Metrics(0.86, 0.5, 0.095), Metrics(0.80, 0.5, 0.1), strict).promote);
  EXPECT_TRUE(Compare(Metrics(0.86, 0.5, 0.089), Metrics(0.80, 0.5, 0.1), strict).promote);
}

TEST(WorkerGate, SkipsMetricsTheReferenceLacksButRefusesWhenTheNewModelLacksOne) {
  EXPECT_TRUE(Compare(Metrics(0.5, 0.5, 0.09), Metrics(nullptr, nullptr, 0.1)).promote);
  const GateDecision d = Compare(Metrics(nullptr, 0.6, 0.09), Metrics(0.8, 0.5, 0.1));
  EXPECT_FALSE(d.promote);
  EXPECT_NE(d.reason.find("fingerprint_top1 could not be measured"), std::string::npos);
  const GateDecision nothing = Compare(Metrics(0.5, 0.5, 0.1), Metrics(nullptr, nullptr, nullptr));
  EXPECT_FALSE(nothing.promote);
  EXPECT_NE(nothing.reason.find("no gate metric could be compared"), std::string::npos);
}

TEST(WorkerGate, ForcedPromotionSaysSoInTheReason) {
  GateOptions forced;
  forced.force_promotion = true;
  const GateDecision d = Compare(Metrics(0.1, 0.1, 0.9), Metrics(0.8, 0.5, 0.1), forced);
  EXPECT_TRUE(d.promote);
  EXPECT_EQ(
      d.reason.rfind("promoted (forced by gate.force_promotion): the new model does not beat", 0),
      0u)
      << d.reason;
}

TEST(WorkerGate, OptionsComeFromJsonAndRejectUnknownRemovedAndNegativeKeys) {
  const GateOptions o = GateOptions::FromJson({{"rmse_margin", 0.1}, {"force_promotion", true}});
  EXPECT_DOUBLE_EQ(o.rmse_margin, 0.1);
  EXPECT_DOUBLE_EQ(o.top1_margin, 0.0);
  EXPECT_TRUE(o.force_promotion);
  EXPECT_THROW(GateOptions::FromJson({{"top1", 0.1}}), Error);
  EXPECT_THROW(GateOptions::FromJson({{"top1_margin", "x"}}), Error);
  EXPECT_THROW(GateOptions::FromJson({{"top1_margin", -0.1}}), Error);
  EXPECT_THROW(GateOptions::FromJson({{"force_promotion", 1}}), Error);
  try {
    GateOptions::FromJson({{"top1_tolerance", 1}});
    ADD_FAILURE() << "a tolerance was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("was removed"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ecg::tools
