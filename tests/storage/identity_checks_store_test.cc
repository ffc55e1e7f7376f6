// Stored identity checks (sql/0005_identity_checks.sql): an embedded ECG without a check is to
// check, patient by patient; a written check is read back with or without a score; a check goes
// stale when its patient gains or loses an embedded ECG or when it is older than the refresh
// age, and goes with its ECG. The patients' look (new embeddings' patients) finds what the full
// look finds for them.
#include <gtest/gtest.h>

#include "tests/storage/store_fixture.h"

namespace ecg::testing {
namespace {

class IdentityChecksStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    model_ = store_->SaveModel("encoder", "bytes", R"({"dim": 2})", "{}");
  }
  // Stores ECG `index` of `patient` and its embedding; returns its key.
  int64_t Embedded(int patient, int index) {
    const int64_t key = store_->UpsertEcg(TestEcg(patient, index, 1, 50)).ecg_key;
    store_->WriteEmbeddings(model_, {{key, 0, {1.0f, static_cast<float>(index)}}});
    return key;
  }
  static StoredIdentityCheck Scored(const IdentityToCheck& ecg, double z) {
    IdentityScore s;
    s.z = z;
    s.suspicious = z < 0;
    s.best_same_patient = 0.9;
    s.population_mean = 0.5;
    s.population_std = 0.1;
    s.same_patient_count = static_cast<size_t>(ecg.patient_embedded - 1);
    s.population_count = 20;
    return {ecg.ecg_key, ecg.patient_key, ecg.patient_embedded, s, ""};
  }
  // Writes a check (z = 1) for every ECG the full look finds.
  void CheckAllPending() {
    std::vector<StoredIdentityCheck> checks;
    for (const IdentityToCheck& e : store_->EcgsToCheckIdentity(model_, 10)) {
      checks.push_back(Scored(e, 1.0));
    }
    store_->WriteIdentityChecks(model_, checks);
  }
  int64_t model_ = 0;
};

TEST_F(IdentityChecksStoreTest, EmbeddedEcgsWithoutACheckAreToCheckPatientByPatient) {
  const int64_t a0 = Embedded(1, 0);
  const int64_t b0 = Embedded(2, 0);
  const int64_t a1 = Embedded(1, 1);
  store_->UpsertEcg(TestEcg(3, 0, 1, 50));  // not embedded: nothing to check
  const std::vector<IdentityToCheck> pending = store_->EcgsToCheckIdentity(model_, 10);
  ASSERT_EQ(pending.size(), 3u);
  EXPECT_EQ(pending[0].ecg_key, a0);
  EXPECT_EQ(pending[1].ecg_key, a1);
  EXPECT_EQ(pending[2].ecg_key, b0);
  EXPECT_EQ(pending[0].patient_embedded, 2);
  EXPECT_EQ(pending[2].patient_embedded, 1);
  EXPECT_EQ(store_->EcgsToCheckIdentity(model_, 2).size(), 2u);
}

TEST_F(IdentityChecksStoreTest, WrittenChecksAreReadBackWithOrWithoutAScore) {
  Embedded(1, 0);
  Embedded(1, 1);
  const int64_t lone = Embedded(2, 0);
  const std::vector<IdentityToCheck> pending = store_->EcgsToCheckIdentity(model_, 10);
  ASSERT_EQ(pending.size(), 3u);
  StoredIdentityCheck unscored;
  unscored.ecg_key = lone;
  unscored.patient_embedded = 1;
  unscored.reason = "the patient has no other ECG in the store";
  EXPECT_EQ(store_->WriteIdentityChecks(
                model_, {Scored(pending[0], 2.5), Scored(pending[1], -0.5), unscored,
                         Scored({lone + 1000, 0, 1}, 1.0)}),  // no such ECG: skipped
            3u);
  EXPECT_TRUE(store_->EcgsToCheckIdentity(model_, 10).empty());
  const std::vector<StoredIdentityCheck> read =
      store_->ReadIdentityChecks(model_, {pending[1].ecg_key, lone, pending[0].ecg_key});
  ASSERT_EQ(read.size(), 3u);
  EXPECT_EQ(read[0].ecg_key, pending[0].ecg_key);
  EXPECT_DOUBLE_EQ(read[0].score->z, 2.5);
  EXPECT_FALSE(read[0].score->suspicious);
  EXPECT_EQ(read[0].score->same_patient_count, 1u);
  EXPECT_EQ(read[0].score->population_count, 20u);
  EXPECT_DOUBLE_EQ(read[0].score->best_same_patient, 0.9);
  EXPECT_TRUE(read[1].score->suspicious);
  EXPECT_FALSE(read[2].score.has_value());
  EXPECT_EQ(read[2].reason, "the patient has no other ECG in the store");
  EXPECT_TRUE(store_->ReadIdentityChecks(model_ + 1, {lone}).empty());
}

TEST_F(IdentityChecksStoreTest, ACheckGoesStaleWhenItsPatientGainsOrLosesAnEmbeddedEcg) {
  Embedded(1, 0);
  Embedded(2, 0);
  CheckAllPending();
  std::vector<StoredIdentityCheck> checks;
  const int64_t a1 = Embedded(1, 1);
  std::vector<IdentityToCheck> pending = store_->EcgsToCheckIdentity(model_, 10);
  ASSERT_EQ(pending.size(), 2u);  // patient 1's both ECGs; patient 2's check still holds
  EXPECT_EQ(pending[0].patient_embedded, 2);
  EXPECT_EQ(pending[1].ecg_key, a1);
  checks.clear();
  for (const IdentityToCheck& e : pending) checks.push_back(Scored(e, 1.0));
  store_->WriteIdentityChecks(model_, checks);
  EXPECT_TRUE(store_->EcgsToCheckIdentity(model_, 10).empty());

  store_->DeleteByOrthancInstance("inst-1-1");
  pending = store_->EcgsToCheckIdentity(model_, 10);
  ASSERT_EQ(pending.size(), 1u);  // the deleted ECG's check went with it
  EXPECT_EQ(pending[0].patient_embedded, 1);
  EXPECT_EQ(Sql("SELECT count(*) FROM identity_checks"), "2");
  EXPECT_EQ(store_->CountIdentityChecks(model_), 2);
}

TEST_F(IdentityChecksStoreTest, ThePatientsLookFindsTheSameChecksForTheListedPatientsOnly) {
  const int64_t a0 = Embedded(1, 0);
  const int64_t b0 = Embedded(2, 0);
  Embedded(3, 0);
  CheckAllPending();
  const int64_t a1 = Embedded(1, 1);  // patient 1's checks go stale
  const int64_t c1 = Embedded(3, 1);  // and patient 3's
  const int64_t p1 = store_->FindEcgByKey(a0)->patient_key;
  const int64_t p2 = store_->FindEcgByKey(b0)->patient_key;
  const int64_t p3 = store_->FindEcgByKey(c1)->patient_key;

  std::vector<IdentityToCheck> of = store_->EcgsToCheckIdentityOf(model_, {p2, p1}, 10);
  ASSERT_EQ(of.size(), 2u);  // patient 1's two; patient 2's check holds; patient 3 not listed
  EXPECT_EQ(of[0].ecg_key, a0);
  EXPECT_EQ(of[1].ecg_key, a1);
  EXPECT_EQ(of[0].patient_embedded, 2);
  EXPECT_EQ(store_->EcgsToCheckIdentityOf(model_, {p1, p3}, 3).size(), 3u);  // the limit
  // The same rows as the full look's, for the same patients.
  std::vector<IdentityToCheck> all = store_->EcgsToCheckIdentity(model_, 10);
  std::vector<IdentityToCheck> listed = store_->EcgsToCheckIdentityOf(model_, {p1, p2, p3}, 10);
  ASSERT_EQ(all.size(), 4u);
  ASSERT_EQ(listed.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(listed[i].ecg_key, all[i].ecg_key);
    EXPECT_EQ(listed[i].patient_key, all[i].patient_key);
    EXPECT_EQ(listed[i].patient_embedded, all[i].patient_embedded);
  }
  EXPECT_TRUE(store_->EcgsToCheckIdentityOf(model_, {}, 10).empty());
  EXPECT_TRUE(store_->EcgsToCheckIdentityOf(model_ + 1, {p1}, 10).empty());
}

TEST_F(IdentityChecksStoreTest, ACheckOlderThanTheRefreshAgeIsToCheckAgain) {
  const int64_t a = Embedded(1, 0);
  Embedded(1, 1);
  CheckAllPending();
  Sql("UPDATE identity_checks SET checked_at = now() - interval '31 days' WHERE ecg_key = " +
      std::to_string(a));
  EXPECT_TRUE(store_->EcgsToCheckIdentity(model_, 10, /*refresh_days=*/60).empty());
  const std::vector<IdentityToCheck> pending = store_->EcgsToCheckIdentity(model_, 10, 30);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].ecg_key, a);
}

}  // namespace
}  // namespace ecg::testing
