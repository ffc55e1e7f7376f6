#include "waveform/wfdb_annotations.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/test_env.h"
#include "waveform/error.h"

namespace ecg {
namespace {

void Word(std::vector<unsigned char>& out, unsigned code, unsigned field) {
  const unsigned w = (code << 10) | field;
  out.push_back(w & 0xFF);
  out.push_back(w >> 8);
}

void Write(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

TEST(WfdbAnnotations, ReadsTimesSymbolsSkipsAndAuxStrings) {
  testing::TempDir dir;
  std::vector<unsigned char> bytes;
  Word(bytes, 39, 100);  // ( at 100
  Word(bytes, 1, 20);    // N at 120
  Word(bytes, 63, 3);    // AUX of 3 bytes, padded to 4
  for (unsigned char c : {'a', 'b', 'c', '\0'}) bytes.push_back(c);
  Word(bytes, 40, 30);                                                 // ) at 150
  Word(bytes, 59, 0);                                                  // SKIP 70000
  for (unsigned v : {0x01u, 0x00u, 0x70u, 0x11u}) bytes.push_back(v);  // high 0x0001, low 0x1170
  Word(bytes, 27, 5);                                                  // t at 150 + 70000 + 5
  Word(bytes, 0, 0);
  Write(dir.File("r.i"), bytes);
  const std::vector<WfdbAnnotation> a = ReadWfdbAnnotations(dir.File("r.i"));
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0].symbol, '(');
  EXPECT_EQ(a[0].sample, 100);
  EXPECT_EQ(a[1].symbol, 'N');
  EXPECT_EQ(a[1].sample, 120);
  EXPECT_EQ(a[2].symbol, ')');
  EXPECT_EQ(a[2].sample, 150);
  EXPECT_EQ(a[3].symbol, 't');
  EXPECT_EQ(a[3].sample, 150 + 0x11170 + 5);
}

TEST(WfdbAnnotations, AMissingFileIsNotFoundAndATruncatedOneIsCorrupt) {
  testing::TempDir dir;
  try {
    ReadWfdbAnnotations(dir.File("absent.i"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsNotFound());
  }
  std::vector<unsigned char> bytes;
  Word(bytes, 59, 0);
  bytes.push_back(1);
  Write(dir.File("cut.i"), bytes);
  try {
    ReadWfdbAnnotations(dir.File("cut.i"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsCorruption());
  }
}

TEST(WfdbAnnotations, GlobalReferenceTakesTheEarliestOnsetAndLatestOffsetOverLeads) {
  testing::TempDir dir;
  // Two beats; lead i has QRS 100..150 and P 20..60, T ..400; the other leads QRS 95..160, T
  // ..420; beat 2 one second later.
  for (const char* lead :
       {"i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6"}) {
    const bool first = std::string(lead) == "i";
    std::vector<unsigned char> bytes;
    int64_t time = 0;
    auto add = [&](unsigned code, int64_t at) {
      Word(bytes, code, static_cast<unsigned>(at - time));
      time = at;
    };
    for (int64_t start : {0, 500}) {
      add(39, start + 20), add(24, start + 40), add(40, start + 60);
      add(39, start + (first ? 100 : 95)), add(1, start + 120),
          add(40, start + (first ? 150 : 160));
      add(39, start + 250), add(27, start + 330), add(40, start + (first ? 400 : 420));
    }
    Word(bytes, 0, 0);
    Write(dir.File(std::string("r.") + lead), bytes);
  }
  const LudbReference ref = LudbReferenceIntervals(dir.File("r"), 500);
  EXPECT_EQ(ref.beats, 2u);
  EXPECT_DOUBLE_EQ(*ref.qrs_ms, (160 - 95) * 2.0);
  EXPECT_DOUBLE_EQ(*ref.pr_ms, (95 - 20) * 2.0);
  EXPECT_DOUBLE_EQ(*ref.p_ms, 40 * 2.0);
  EXPECT_DOUBLE_EQ(*ref.qt_ms, (420 - 95) * 2.0);
}

TEST(WfdbAnnotations, LeadMedianReferenceIgnoresOneBeatsEarlyOnsetThatTheBeatByBeatOneTakes) {
  testing::TempDir dir;
  // Three beats 500 samples apart, every QRS peak at 120 (so the fiducial does not move). All
  // leads: P 20..60, QRS 100..150, T ..400; lead ii's QRS starts at 95 in beats 1-2 and at 85 in
  // beat 3 (an annotation 10 samples early once); v6's QRS ends at 160, 160 and 175.
  for (const char* lead :
       {"i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6"}) {
    std::vector<unsigned char> bytes;
    int64_t time = 0;
    auto add = [&](unsigned code, int64_t at) {
      Word(bytes, code, static_cast<unsigned>(at - time));
      time = at;
    };
    for (int beat = 0; beat < 3; ++beat) {
      const int64_t start = 500 * beat;
      int64_t onset = 100, offset = 150;
      if (std::string(lead) == "ii") onset = beat < 2 ? 95 : 85;
      if (std::string(lead) == "v6") offset = beat < 2 ? 160 : 175;
      add(39, start + 20), add(24, start + 40), add(40, start + 60);
      add(39, start + onset), add(1, start + 120), add(40, start + offset);
      add(39, start + 250), add(27, start + 330), add(40, start + 400);
    }
    Word(bytes, 0, 0);
    Write(dir.File(std::string("r.") + lead), bytes);
  }
  const LudbReference ref = LudbReferenceIntervals(dir.File("r"), 500);
  ASSERT_EQ(ref.beats, 3u);
  // Beat by beat: 65, 65 and 90 samples, averaged.
  EXPECT_NEAR(*ref.qrs_ms, (65 + 65 + 90) / 3.0 * 2.0, 1e-9);
  // Lead medians: ii's onset 95, v6's offset 160.
  ASSERT_TRUE(ref.lead_median.qrs_ms && ref.lead_median.pr_ms && ref.lead_median.qt_ms);
  EXPECT_DOUBLE_EQ(*ref.lead_median.qrs_ms, (160 - 95) * 2.0);
  EXPECT_DOUBLE_EQ(*ref.lead_median.pr_ms, (95 - 20) * 2.0);
  EXPECT_DOUBLE_EQ(*ref.lead_median.qt_ms, (400 - 95) * 2.0);
  EXPECT_DOUBLE_EQ(*ref.lead_median.p_ms, 40 * 2.0);
  EXPECT_GT(*ref.qrs_ms, *ref.lead_median.qrs_ms);
}

}  // namespace
}  // namespace ecg
