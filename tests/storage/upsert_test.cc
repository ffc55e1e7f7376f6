#include <gtest/gtest.h>

#include <thread>

#include "tests/storage/store_fixture.h"

namespace ecg::testing {
namespace {

using UpsertTest = StoreTest;

TEST_F(UpsertTest, ANewInstanceCreatesOnePatientAndOneEcg) {
  const UpsertResult result = store_->UpsertEcg(TestEcg(1, 0));
  EXPECT_EQ(result.outcome, UpsertOutcome::kCreated);
  EXPECT_GT(result.ecg_key, 0);
  EXPECT_GT(result.patient_key, 0);
  EXPECT_EQ(store_->CountEcgs(), 1);
  EXPECT_EQ(store_->CountPatients(), 1);
}

TEST_F(UpsertTest, SendingTheSameInstanceTwiceLeavesOneUnchangedRow) {
  const UpsertResult first = store_->UpsertEcg(TestEcg(1, 0));
  const UpsertResult second = store_->UpsertEcg(TestEcg(1, 0));
  EXPECT_EQ(second.outcome, UpsertOutcome::kUnchanged);
  EXPECT_EQ(second.ecg_key, first.ecg_key);
  EXPECT_EQ(store_->CountEcgs(), 1);
  EXPECT_EQ(Sql("SELECT count(*) FROM signals"), "1");
}

TEST_F(UpsertTest, AChangedInstanceReplacesTheOldRowAndItsSignal) {
  const UpsertResult first = store_->UpsertEcg(TestEcg(1, 0, /*seed=*/1));
  IngestedEcg changed = TestEcg(1, 0, /*seed=*/2);  // same SOPInstanceUID, other samples
  const UpsertResult second = store_->UpsertEcg(changed);
  EXPECT_EQ(second.outcome, UpsertOutcome::kReplaced);
  EXPECT_NE(second.ecg_key, first.ecg_key);
  EXPECT_EQ(store_->CountEcgs(), 1);
  EXPECT_FALSE(store_->LoadSignal(first.ecg_key).has_value());
  EXPECT_EQ(store_->LoadSignal(second.ecg_key)->data_uV(), changed.signal.data_uV());
}

TEST_F(UpsertTest, ChangedMetadataAloneIsAChange) {
  store_->UpsertEcg(TestEcg(1, 0));
  IngestedEcg changed = TestEcg(1, 0);
  changed.metadata.statements.push_back("Left axis deviation");
  EXPECT_EQ(store_->UpsertEcg(changed).outcome, UpsertOutcome::kReplaced);
  EXPECT_EQ(store_->FindEcgByOrthancId("inst-1-0")->statements.size(), 2u);
}

TEST_F(UpsertTest, EcgsOfOnePatientShareThePatientKey) {
  const UpsertResult a = store_->UpsertEcg(TestEcg(7, 0));
  const UpsertResult b = store_->UpsertEcg(TestEcg(7, 1));
  const UpsertResult c = store_->UpsertEcg(TestEcg(8, 0));
  EXPECT_EQ(a.patient_key, b.patient_key);
  EXPECT_NE(a.patient_key, c.patient_key);
  EXPECT_EQ(store_->CountPatients(), 2);
}

TEST_F(UpsertTest, TheSamePatientIdFromAnotherIssuerIsAnotherPatient) {
  IngestedEcg other = TestEcg(1, 1);
  other.metadata.issuer_of_patient_id = "HOSPITAL-B";
  EXPECT_NE(store_->UpsertEcg(TestEcg(1, 0)).patient_key, store_->UpsertEcg(other).patient_key);
}

TEST_F(UpsertTest, ABatchIsWrittenInOneGoAndReportsEachOutcomeInOrder) {
  store_->UpsertEcg(TestEcg(1, 0));
  const std::vector<UpsertResult> results =
      store_->UpsertEcgs({TestEcg(1, 0), TestEcg(1, 1), TestEcg(2, 0)});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].outcome, UpsertOutcome::kUnchanged);
  EXPECT_EQ(results[1].outcome, UpsertOutcome::kCreated);
  EXPECT_EQ(results[2].outcome, UpsertOutcome::kCreated);
  EXPECT_EQ(store_->CountEcgs(), 3);
}

TEST_F(UpsertTest, ABatchWithABadEcgWritesNothing) {
  IngestedEcg bad = TestEcg(2, 0);
  bad.signal.lead_uV(Lead::kI)[10] = 0.5f;  // not a whole microvolt
  EXPECT_THROW(store_->UpsertEcgs({TestEcg(1, 0), bad}), Error);
  EXPECT_EQ(store_->CountEcgs(), 0);
}

TEST_F(UpsertTest, ABatchThatFailsInTheDatabaseHalfwayWritesNothing) {
  IngestedEcg clash = TestEcg(2, 0);
  clash.orthanc.instance = "inst-1-0";  // another SOPInstanceUID under the same Orthanc ID
  try {
    store_->UpsertEcgs({TestEcg(1, 0), TestEcg(1, 1), clash});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsConflict()) << e.what();
  }
  EXPECT_EQ(store_->CountEcgs(), 0);
  EXPECT_EQ(store_->CountPatients(), 0);
}

TEST_F(UpsertTest, AnInstanceWithoutSopInstanceUidIsRefused) {
  IngestedEcg ecg = TestEcg(1, 0);
  ecg.metadata.sop_instance_uid.clear();
  try {
    store_->UpsertEcg(ecg);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsInvalidArgument());
  }
}

TEST_F(UpsertTest, ConcurrentUpsertsOfTheSameInstancesLeaveOneRowEach) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this] {
      for (int i = 0; i < 10; ++i) store_->UpsertEcg(TestEcg(3, i));
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(store_->CountEcgs(), 10);
  EXPECT_EQ(Sql("SELECT count(*) FROM signals"), "10");
}

}  // namespace
}  // namespace ecg::testing
