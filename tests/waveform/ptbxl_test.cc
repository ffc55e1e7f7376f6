#include "waveform/ptbxl.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/test_env.h"
#include "waveform/error.h"
#include "waveform/wfdb.h"

namespace ecg {
namespace {

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

void WriteSmallDatabase(const testing::TempDir& dir) {
  WriteText(dir.File("scp_statements.csv"),
            ",description,diagnostic,form,rhythm,diagnostic_class\n"
            "NORM,normal ECG,1.0,,,NORM\n"
            "IMI,inferior MI,1.0,,,MI\n"
            "NDT,\"non-diagnostic T, abnormalities\",1.0,1.0,,STTC\n"
            "SR,sinus rhythm,,,1.0,\n"
            "LVOLT,low voltage,,1.0,,\n");
  WriteText(dir.File("ptbxl_database.csv"),
            "ecg_id,patient_id,age,sex,recording_date,report,scp_codes,strat_fold,filename_lr,"
            "filename_hr\n"
            "1,15709.0,56.0,1,1984-11-09 09:17:34,\"sinus, normal\",\"{'NORM': 100.0, 'LVOLT': "
            "0.0, 'SR': 0.0}\",3,records100/00000/00001_lr,records500/00000/00001_hr\n"
            "2,13243.0,300.0,0,1984-11-14 12:55:37,\"two\nlines\",\"{'IMI': 35.0, 'NDT': 0.0}\","
            "10,records100/00000/00002_lr,records500/00000/00002_hr\n"
            "3,20372.0,,,,,{},9,records100/00000/00003_lr,records500/00000/00003_hr\n");
}

TEST(PtbxlDatabase, ReadsPatientsTimesAgesSexesAndStatements) {
  testing::TempDir dir;
  WriteSmallDatabase(dir);
  const PtbxlDatabase db = PtbxlDatabase::Read(dir.path());
  ASSERT_EQ(db.ecgs().size(), 3u);
  const PtbxlEcg& first = db.ecgs()[0];
  EXPECT_EQ(first.ecg_id, 1);
  EXPECT_EQ(first.patient_id, 15709);
  EXPECT_EQ(first.age_years, 56);
  EXPECT_EQ(first.sex, "F");
  EXPECT_EQ(first.recording_time_ms, 468839854000LL);
  EXPECT_EQ(first.scp_codes.size(), 3u);
  EXPECT_EQ(first.scp_codes.at("NORM"), 100.0);
  EXPECT_EQ(first.superclasses, std::vector<std::string>({"NORM"}));
  EXPECT_EQ(first.strat_fold, 3);
  EXPECT_EQ(first.filename_hr, "records500/00000/00001_hr");
}

TEST(PtbxlDatabase, CountsStatementsOfAnyLikelihoodAndMapsAgesAbove89To90) {
  testing::TempDir dir;
  WriteSmallDatabase(dir);
  const PtbxlDatabase db = PtbxlDatabase::Read(dir.path());
  const auto second = db.Find(2);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->superclasses, std::vector<std::string>({"MI", "STTC"}));
  EXPECT_EQ(second->age_years, 90);
  EXPECT_EQ(second->sex, "M");
  const auto third = db.Find(3);
  ASSERT_TRUE(third.has_value());
  EXPECT_FALSE(third->age_years.has_value());
  EXPECT_FALSE(third->recording_time_ms.has_value());
  EXPECT_TRUE(third->superclasses.empty());
  EXPECT_FALSE(db.Find(4).has_value());
}

TEST(PtbxlDatabase, MetadataNamesThePatientAndDerivesStableUidsPerRate) {
  testing::TempDir dir;
  WriteSmallDatabase(dir);
  const PtbxlEcg ecg = PtbxlDatabase::Read(dir.path()).ecgs()[0];
  const EcgMetadata low = PtbxlMetadata(ecg, PtbxlRate::kLow100Hz);
  EXPECT_EQ(low.patient_id, "PTBXL-15709");
  EXPECT_EQ(low.sex, "F");
  EXPECT_EQ(low.patient_age_years, 56);
  EXPECT_EQ(low.acquisition_time_ms, 468839854000LL);
  EXPECT_EQ(low.sop_instance_uid, PtbxlMetadata(ecg, PtbxlRate::kLow100Hz).sop_instance_uid);
  EXPECT_NE(low.sop_instance_uid, PtbxlMetadata(ecg, PtbxlRate::kHigh500Hz).sop_instance_uid);
  EXPECT_NE(low.sop_instance_uid, low.study_instance_uid);
  EXPECT_EQ(PtbxlRecordName(ecg, PtbxlRate::kLow100Hz), "records100/00000/00001_lr");
}

TEST(PtbxlDatabase, RefusesMissingAndMalformedFiles) {
  testing::TempDir dir;
  try {
    PtbxlDatabase::Read(dir.path());
    FAIL() << "expected NotFound";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsNotFound()) << e.what();
  }
  WriteSmallDatabase(dir);
  WriteText(dir.File("ptbxl_database.csv"), "ecg_id,patient_id\n1,2\n");
  EXPECT_THROW(PtbxlDatabase::Read(dir.path()), Error);
  WriteText(dir.File("ptbxl_database.csv"),
            "ecg_id,patient_id,age,sex,recording_date,scp_codes,strat_fold,filename_lr,"
            "filename_hr\nx,1,1,1,,{},1,a,b\n");
  EXPECT_THROW(PtbxlDatabase::Read(dir.path()), Error);
}

TEST(PtbxlDatabase, ReadsTheRealDatabaseAndItsRecords) {
  const auto data = testing::SharedDataDir();
  if (!data) GTEST_SKIP() << "no ../shared/data";
  const PtbxlDatabase db = PtbxlDatabase::Read(*data + "/ptbxl");
  EXPECT_EQ(db.ecgs().size(), 21837u);
  const auto first = db.Find(1);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->patient_id, 15709);
  EXPECT_EQ(first->superclasses, std::vector<std::string>({"NORM"}));
  size_t with_superclass = 0;
  for (const PtbxlEcg& e : db.ecgs()) with_superclass += !e.superclasses.empty();
  EXPECT_GT(with_superclass, 21000u);
  const auto third = db.Find(3);
  ASSERT_TRUE(third.has_value());
  const WfdbRecord r =
      ReadWfdbRecord(*data + "/ptbxl/" + PtbxlRecordName(*third, PtbxlRate::kLow100Hz));
  EXPECT_EQ(r.group.sample_rate_hz, 100.0);
}

}  // namespace
}  // namespace ecg
