#include <gtest/gtest.h>

#include "tests/storage/store_fixture.h"

namespace ecg::testing {
namespace {

class DeleteTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    // Patient 1: three ECGs, the last two in one series of one study. Patient 2: one ECG.
    std::vector<IngestedEcg> ecgs = {TestEcg(1, 0), TestEcg(1, 1), TestEcg(1, 2), TestEcg(2, 0)};
    ecgs[2].orthanc.series = ecgs[1].orthanc.series;
    ecgs[2].orthanc.study = ecgs[1].orthanc.study;
    for (const UpsertResult& r : store_->UpsertEcgs(ecgs)) keys_.push_back(r.ecg_key);
    const int64_t model = store_->SaveModel("m", "bytes", "{}", "{}");
    std::vector<Embedding> embeddings;
    for (int64_t key : keys_) embeddings.push_back({key, 0, {1.0f, 2.0f}});
    store_->WriteEmbeddings(model, embeddings);
  }

  std::string Counts() {
    return Sql(
        "SELECT (SELECT count(*) FROM ecgs) || ' ' || (SELECT count(*) FROM signals) ||"
        " ' ' || (SELECT count(*) FROM embeddings) || ' ' ||"
        " (SELECT count(*) FROM patients)");
  }

  std::vector<int64_t> keys_;
};

TEST_F(DeleteTest, DeletingAnInstanceDeletesItsSignalAndEmbeddings) {
  EXPECT_EQ(store_->DeleteByOrthancInstance("inst-1-0"), 1u);
  EXPECT_EQ(Counts(), "3 3 3 2");
  EXPECT_FALSE(store_->FindEcgByOrthancId("inst-1-0").has_value());
}

TEST_F(DeleteTest, DeletingASeriesDeletesAllItsEcgs) {
  EXPECT_EQ(store_->DeleteByOrthancSeries("series-1-1"), 2u);
  EXPECT_EQ(Counts(), "2 2 2 2");
}

TEST_F(DeleteTest, DeletingAStudyDeletesAllItsEcgs) {
  EXPECT_EQ(store_->DeleteByOrthancStudy("study-1-1"), 2u);
  EXPECT_EQ(Counts(), "2 2 2 2");
}

TEST_F(DeleteTest, DeletingAPatientDeletesItsEcgsAndThePatient) {
  EXPECT_EQ(store_->DeleteByOrthancPatient("opatient-1"), 3u);
  EXPECT_EQ(Counts(), "1 1 1 1");
  EXPECT_TRUE(store_->Timeline("opatient-1").empty());
}

TEST_F(DeleteTest, APatientLeftWithoutEcgsGoesToo) {
  EXPECT_EQ(store_->DeleteByOrthancInstance("inst-2-0"), 1u);
  EXPECT_EQ(Counts(), "3 3 3 1");
}

TEST_F(DeleteTest, DeletingSomethingAbsentDeletesNothing) {
  EXPECT_EQ(store_->DeleteByOrthancInstance("no-such-instance"), 0u);
  EXPECT_EQ(store_->DeleteByOrthancPatient("no-such-patient"), 0u);
  EXPECT_EQ(Counts(), "4 4 4 2");
}

}  // namespace
}  // namespace ecg::testing
