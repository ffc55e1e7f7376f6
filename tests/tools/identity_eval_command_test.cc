// orthanc-ecg identity-eval: misfiled synthetic ECGs are told apart from well-filed ones by the
// median-beat baseline, and the output says how many of each were scored.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/test_env.h"

namespace ecg {
namespace {

using testing::RunCli;

TEST(IdentityEvalCommand, MovedSyntheticEcgsScoreAsMoreSuspiciousThanTheOthers) {
  testing::TempDir dir;
  std::string output;
  ASSERT_EQ(RunCli("synth --patients 30 --per-patient 3 --seed 5 --archive " + dir.File("set.ecga"),
                   &output),
            0)
      << output;
  ASSERT_EQ(RunCli("identity-eval --data " + dir.File("set.ecga") +
                       " --fraction 0.1 --draws 4 --seed 3 --threads 1",
                   &output),
            0)
      << output;
  const nlohmann::json result = nlohmann::json::parse(
      output.substr(output.find('{'), output.rfind('}') + 1 - output.find('{')));
  EXPECT_EQ(result["data"]["ecgs"], 90);
  EXPECT_EQ(result["data"]["patients_with_several_ecgs"], 30);
  EXPECT_TRUE(result["model"].is_null());
  const nlohmann::json& baseline = result["median_beat"];
  EXPECT_EQ(baseline["positives"], 4 * 9);  // 10% of 90 ECGs, moved in each of 4 draws
  EXPECT_GT(baseline["negatives"].get<int>(), 4 * 70);
  EXPECT_GT(baseline["pooled_auc"].get<double>(), 0.8);
}

}  // namespace
}  // namespace ecg
