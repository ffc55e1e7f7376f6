#include "waveform/serial_comparison.h"

#include <gtest/gtest.h>

namespace ecg {
namespace {

EcgMeasurements With(double hr, double pr, double qrs, double qtc, double axis) {
  EcgMeasurements m;
  m.heart_rate_bpm = hr;
  m.pr_ms = pr;
  m.qrs_ms = qrs;
  m.qtc_bazett_ms = qtc;
  m.qrs_axis_deg = axis;
  return m;
}

std::vector<std::string> Codes(const SerialComparison& c) {
  std::vector<std::string> codes;
  for (const ChangeStatement& s : c.statements) codes.push_back(s.code);
  return codes;
}

TEST(SerialComparison, UnchangedEcgsHaveNoStatementsAndZeroDeltas) {
  const SerialComparison c =
      CompareMeasurements(With(70, 160, 90, 420, 40), With(70, 160, 90, 420, 40));
  EXPECT_TRUE(c.statements.empty());
  ASSERT_EQ(c.differences.size(), MeasurementFieldNames().size());
  EXPECT_EQ(c.differences[4].field, "qrs_ms");
  EXPECT_EQ(*c.differences[4].delta, 0);
  EXPECT_FALSE(c.differences[2].delta.has_value());  // p_ms: null on both sides
}

TEST(SerialComparison, EachThresholdGivesItsStatementWithBothValues) {
  const SerialComparison c =
      CompareMeasurements(With(60, 180, 100, 460, 60), With(105, 210, 124, 495, 20));
  EXPECT_EQ(Codes(c), (std::vector<std::string>{"QRS_NEW_WIDE", "QRS_WIDENED", "QTC_PROLONGED",
                                                "QTC_ABOVE_480", "PR_NEW_PROLONGED",
                                                "HR_NEW_ABOVE_100", "QRS_AXIS_SHIFT"}));
  EXPECT_EQ(c.statements[0].measurement, "qrs_ms");
  EXPECT_EQ(c.statements[0].from, 100);
  EXPECT_EQ(c.statements[0].to, 124);
  EXPECT_EQ(c.statements[0].text, "New wide QRS (>= 120 ms): 100 -> 124 ms");
}

TEST(SerialComparison, BelowTheThresholdsNothingIsStated) {
  const SerialComparison c =
      CompareMeasurements(With(55, 150, 122, 440, 60), With(52, 190, 138, 468, 35));
  EXPECT_TRUE(c.statements.empty()) << Codes(c).size();
}

TEST(SerialComparison, ACrossingSmallerThanTheMeasurementsOwnScatterIsNotStated) {
  // Each value crosses its limit by less than the least change of its statement.
  const SerialComparison small =
      CompareMeasurements(With(97, 190, 116, 465, 40), With(101, 205, 122, 490, 40));
  EXPECT_TRUE(small.statements.empty()) << Codes(small).front();
  EXPECT_EQ(*small.differences[4].delta, 6);  // the difference is still there
  // The same limits crossed by at least the least change are stated.
  const SerialComparison large =
      CompareMeasurements(With(95, 175, 110, 450, 40), With(101, 200, 120, 481, 40));
  EXPECT_EQ(Codes(large),
            (std::vector<std::string>{"QRS_NEW_WIDE", "QTC_PROLONGED", "QTC_ABOVE_480",
                                      "PR_NEW_PROLONGED", "HR_NEW_ABOVE_100"}));
  const SerialComparison back =
      CompareMeasurements(With(48, 160, 90, 420, 0), With(52, 160, 90, 420, 0));
  EXPECT_TRUE(back.statements.empty());
  const SerialComparison slowing =
      CompareMeasurements(With(54, 160, 90, 420, 0), With(49, 160, 90, 420, 0));
  EXPECT_EQ(Codes(slowing), std::vector<std::string>{"HR_NEW_BELOW_50"});
}

TEST(SerialComparison, AxisShiftAcrossMinus180IsTheShortAngle) {
  const SerialComparison c =
      CompareMeasurements(With(70, 160, 90, 420, 170), With(70, 160, 90, 420, -170));
  EXPECT_EQ(*c.differences[9].delta, 20);
  EXPECT_TRUE(c.statements.empty());
  const SerialComparison slow =
      CompareMeasurements(With(55, 160, 90, 420, 0), With(45, 160, 90, 420, 0));
  EXPECT_EQ(Codes(slow), std::vector<std::string>{"HR_NEW_BELOW_50"});
}

TEST(SerialComparison, AMissingValueGivesNoStatementAndANullDelta) {
  EcgMeasurements later = With(70, 160, 130, 420, 40);
  later.qrs_ms.reset();
  const SerialComparison c = CompareMeasurements(With(70, 160, 90, 420, 40), later);
  EXPECT_TRUE(c.statements.empty());
  EXPECT_FALSE(c.differences[4].delta.has_value());
  EXPECT_EQ(*c.differences[4].from, 90);
}

}  // namespace
}  // namespace ecg
