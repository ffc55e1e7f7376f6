#include "plugin/ingest/recent_notes.h"

#include <gtest/gtest.h>

#include <string>

namespace ecg::plugin {
namespace {

RecentNotes<std::string> Files(size_t max_notes, size_t max_bytes) {
  return RecentNotes<std::string>(max_notes, max_bytes,
                                  [](const std::string& bytes) { return bytes.size(); });
}

TEST(RecentNotes, ANoteIsGivenOnceThenTheCallerMustAskOrthanc) {
  RecentNotes<bool> hints(4, 4);
  hints.Note("ecg", true);
  hints.Note("image", false);
  EXPECT_EQ(hints.Take("ecg"), std::optional<bool>(true));
  EXPECT_EQ(hints.Take("image"), std::optional<bool>(false));
  EXPECT_EQ(hints.Take("ecg"), std::nullopt);
  EXPECT_EQ(hints.Take("never-noted"), std::nullopt);
}

TEST(RecentNotes, BeyondTheirCountTheOldestNotesAreForgotten) {
  RecentNotes<bool> hints(2, 100);
  hints.Note("a", true);
  hints.Note("b", true);
  hints.Note("c", false);
  EXPECT_EQ(hints.Take("a"), std::nullopt);
  EXPECT_EQ(hints.Take("b"), std::optional<bool>(true));
  EXPECT_EQ(hints.Take("c"), std::optional<bool>(false));
}

TEST(RecentNotes, ACountOfZeroKeepsNothing) {
  RecentNotes<bool> hints(0, 100);
  hints.Note("a", true);
  EXPECT_EQ(hints.Take("a"), std::nullopt);
}

TEST(RecentNotes, FilesAreKeptWithinTheByteBudgetOldestForgottenFirst) {
  auto files = Files(100, 10);
  files.Note("a", "aaaa");
  files.Note("b", "bbbb");
  files.Note("c", "cccc");  // 12 bytes with a and b: a goes
  EXPECT_EQ(files.Take("a"), std::nullopt);
  EXPECT_EQ(files.Take("b"), std::optional<std::string>("bbbb"));
  files.Note("d", "dddddd");  // c (4) + d (6) = 10 fits, now that b was taken
  EXPECT_EQ(files.Take("c"), std::optional<std::string>("cccc"));
  EXPECT_EQ(files.Take("d"), std::optional<std::string>("dddddd"));
}

TEST(RecentNotes, AFileLargerThanTheBudgetIsNotKeptAndEvictsNothing) {
  auto files = Files(100, 10);
  files.Note("small", "ss");
  files.Note("huge", std::string(11, 'h'));
  EXPECT_EQ(files.Take("huge"), std::nullopt);
  EXPECT_EQ(files.Take("small"), std::optional<std::string>("ss"));
}

TEST(RecentNotes, NotingAnInstanceAgainReplacesItsNoteAndItsCost) {
  auto files = Files(100, 10);
  files.Note("a", "old-bytes");
  files.Note("a", "new");
  files.Note("b", "bbbbbbb");  // 3 + 7 = 10 fits only if a's old cost was released
  EXPECT_EQ(files.Take("a"), std::optional<std::string>("new"));
  EXPECT_EQ(files.Take("b"), std::optional<std::string>("bbbbbbb"));
}

TEST(RecentNotes, ClearForgetsEverything) {
  auto files = Files(100, 10);
  files.Note("a", "aaaa");
  files.Clear();
  EXPECT_EQ(files.Take("a"), std::nullopt);
  files.Note("b", std::string(10, 'b'));  // the whole budget is free again
  EXPECT_EQ(files.Take("b"), std::optional<std::string>(std::string(10, 'b')));
}

}  // namespace
}  // namespace ecg::plugin
