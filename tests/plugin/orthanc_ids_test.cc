#include "plugin/ingest/orthanc_ids.h"

#include <gtest/gtest.h>

namespace ecg::plugin {
namespace {

// Stands in for Orthanc's SHA-1: shows which text each ID was computed from.
std::string Bracketed(const std::string& text) {
  return "<" + text + ">";
}

EcgMetadata Identifiers() {
  EcgMetadata metadata;
  metadata.patient_id = "P1";
  metadata.study_instance_uid = "1.2.3";
  metadata.series_instance_uid = "1.2.3.4";
  metadata.sop_instance_uid = "1.2.3.4.5";
  return metadata;
}

TEST(OrthancIds, HashesEachLevelFromItsIdentifiersJoinedByBars) {
  const std::optional<OrthancIds> ids =
      ComputeOrthancIds(Identifiers(), "<P1|1.2.3|1.2.3.4|1.2.3.4.5>", Bracketed);
  ASSERT_TRUE(ids.has_value());
  EXPECT_EQ(ids->instance, "<P1|1.2.3|1.2.3.4|1.2.3.4.5>");
  EXPECT_EQ(ids->series, "<P1|1.2.3|1.2.3.4>");
  EXPECT_EQ(ids->study, "<P1|1.2.3>");
  EXPECT_EQ(ids->patient, "<P1>");
}

TEST(OrthancIds, GivesNothingWhenTheInstanceIdIsNotTheOneOrthancGave) {
  EXPECT_FALSE(ComputeOrthancIds(Identifiers(), "<P1 |1.2.3|1.2.3.4|1.2.3.4.5>", Bracketed));
}

TEST(OrthancIds, GivesNothingWithoutAUid) {
  EcgMetadata metadata = Identifiers();
  metadata.series_instance_uid.clear();
  EXPECT_FALSE(ComputeOrthancIds(metadata, "<P1|1.2.3||1.2.3.4.5>", Bracketed));
}

TEST(OrthancIds, AcceptsAnEmptyPatientIdAsOrthancDoes) {
  EcgMetadata metadata = Identifiers();
  metadata.patient_id.clear();
  const std::optional<OrthancIds> ids =
      ComputeOrthancIds(metadata, "<|1.2.3|1.2.3.4|1.2.3.4.5>", Bracketed);
  ASSERT_TRUE(ids.has_value());
  EXPECT_EQ(ids->patient, "<>");
}

}  // namespace
}  // namespace ecg::plugin
