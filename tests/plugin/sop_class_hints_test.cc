#include "plugin/sop_class_hints.h"

#include <gtest/gtest.h>

namespace ecg::plugin {
namespace {

TEST(SopClassHints, AHintIsGivenOnceThenTheReaderMustAskOrthanc) {
  SopClassHints hints(4);
  hints.Note("ecg", true);
  hints.Note("image", false);
  EXPECT_EQ(hints.Take("ecg"), std::optional<bool>(true));
  EXPECT_EQ(hints.Take("image"), std::optional<bool>(false));
  EXPECT_EQ(hints.Take("ecg"), std::nullopt);
  EXPECT_EQ(hints.Take("never-noted"), std::nullopt);
}

TEST(SopClassHints, BeyondItsCapacityTheOldestHintsAreForgotten) {
  SopClassHints hints(2);
  hints.Note("a", true);
  hints.Note("b", true);
  hints.Note("c", false);
  EXPECT_EQ(hints.Take("a"), std::nullopt);
  EXPECT_EQ(hints.Take("b"), std::optional<bool>(true));
  EXPECT_EQ(hints.Take("c"), std::optional<bool>(false));
}

TEST(SopClassHints, ACapacityOfZeroKeepsNothing) {
  SopClassHints hints(0);
  hints.Note("a", true);
  EXPECT_EQ(hints.Take("a"), std::nullopt);
}

}  // namespace
}  // namespace ecg::plugin
