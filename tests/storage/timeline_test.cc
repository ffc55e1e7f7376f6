#include <gtest/gtest.h>

#include "tests/storage/store_fixture.h"

namespace ecg::testing {
namespace {

using TimelineTest = StoreTest;

TEST_F(TimelineTest, APatientsEcgsComeInAcquisitionOrderWithUnknownTimesLast) {
  std::vector<IngestedEcg> ecgs = {TestEcg(1, 5), TestEcg(1, 2), TestEcg(1, 9), TestEcg(1, 0),
                                   TestEcg(2, 1)};
  ecgs[3].metadata.acquisition_time_ms.reset();
  store_->UpsertEcgs(ecgs);
  std::vector<std::string> order;
  for (const EcgRow& row : store_->Timeline("opatient-1")) order.push_back(row.orthanc.instance);
  EXPECT_EQ(order, (std::vector<std::string>{"inst-1-2", "inst-1-5", "inst-1-9", "inst-1-0"}));
}

TEST_F(TimelineTest, TheTimelineByPatientKeyIsTheSame) {
  const UpsertResult r = store_->UpsertEcgs({TestEcg(1, 3), TestEcg(1, 1)}).front();
  const std::vector<EcgRow> rows = store_->TimelineByPatientKey(r.patient_key);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].orthanc.instance, "inst-1-1");
  EXPECT_TRUE(store_->TimelineByPatientKey(r.patient_key + 1000).empty());
}

TEST_F(TimelineTest, ARowHoldsWhatWasIngested) {
  IngestedEcg ecg = TestEcg(4, 2);
  ecg.metadata.utc_offset_minutes = 60;
  ecg.metadata.notch_filter_hz = 50.0;
  const UpsertResult result = store_->UpsertEcg(ecg);
  const std::optional<EcgRow> row = store_->FindEcgByOrthancId("inst-4-2");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->ecg_key, result.ecg_key);
  EXPECT_EQ(row->patient_key, result.patient_key);
  EXPECT_EQ(row->orthanc.series, "series-4-2");
  EXPECT_EQ(row->orthanc.study, "study-4-2");
  EXPECT_EQ(row->orthanc.patient, "opatient-4");
  EXPECT_EQ(row->sop_instance_uid, ecg.metadata.sop_instance_uid);
  EXPECT_EQ(row->study_instance_uid, ecg.metadata.study_instance_uid);
  EXPECT_EQ(row->series_instance_uid, ecg.metadata.series_instance_uid);
  EXPECT_EQ(row->sop_class_uid, ecg.metadata.sop_class_uid);
  EXPECT_EQ(row->acquisition_time_ms, ecg.metadata.acquisition_time_ms);
  EXPECT_EQ(row->utc_offset_minutes, 60);
  EXPECT_EQ(row->acquisition_time_source, "acquisition");
  EXPECT_EQ(row->sex, "F");
  EXPECT_EQ(row->patient_age_years, 60);
  EXPECT_DOUBLE_EQ(row->source_rate_hz, 1000.0);
  EXPECT_DOUBLE_EQ(row->duration_ms, 10000.0);
  EXPECT_EQ(row->lead_mask, ecg.signal.mask());
  EXPECT_EQ(row->manufacturer, "TestCorp");
  EXPECT_EQ(row->model, "ECG-1");
  EXPECT_FALSE(row->low_frequency_filter_hz.has_value());
  EXPECT_EQ(row->high_frequency_filter_hz, 150.0);
  EXPECT_EQ(row->notch_filter_hz, 50.0);
  ASSERT_EQ(row->measurements.size(), 1u);
  EXPECT_EQ(row->measurements[0].name, "QRS Duration");
  EXPECT_EQ(row->measurements[0].code, "SCPECG:5.10.3-1");
  EXPECT_EQ(row->measurements[0].value, 96.0);
  EXPECT_EQ(row->measurements[0].unit, "ms");
  EXPECT_EQ(row->statements, std::vector<std::string>{"Sinus rhythm"});
  EXPECT_GT(row->ingested_at_ms, int64_t{1700000000000});
}

TEST_F(TimelineTest, RowsAreFoundByKeyInTheOrderAsked) {
  const std::vector<UpsertResult> r = store_->UpsertEcgs({TestEcg(1, 0), TestEcg(2, 0)});
  const std::vector<EcgRow> rows = store_->FindEcgsByKeys({r[1].ecg_key, 999999, r[0].ecg_key});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].ecg_key, r[1].ecg_key);
  EXPECT_EQ(rows[1].ecg_key, r[0].ecg_key);
  EXPECT_FALSE(store_->FindEcgByKey(999999).has_value());
  EXPECT_FALSE(store_->FindEcgByOrthancId("unknown").has_value());
}

TEST_F(TimelineTest, AMalformedBirthDateIsStoredAsUnknown) {
  IngestedEcg ecg = TestEcg(1, 0);
  ecg.metadata.birth_date = "19610229";  // not a leap year
  store_->UpsertEcg(ecg);
  EXPECT_EQ(Sql("SELECT birth_date IS NULL FROM patients"), "t");
}

}  // namespace
}  // namespace ecg::testing
