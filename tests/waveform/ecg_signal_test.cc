#include "waveform/ecg_signal.h"

#include <gtest/gtest.h>

namespace ecg {
namespace {

TEST(LeadMask, PackUnpackRoundTripsEveryStatus) {
  LeadMask mask;
  mask.set_status(Lead::kI, LeadStatus::kRecorded);
  mask.set_status(Lead::kIII, LeadStatus::kDerived);
  mask.set_status(Lead::kV6, LeadStatus::kRecorded);
  EXPECT_EQ(LeadMask::Unpack(mask.Pack()), mask);
  EXPECT_EQ(mask.CountRecorded(), 2u);
  EXPECT_EQ(mask.CountPresent(), 3u);
}

TEST(EcgSignal, DerivesLimbLeadsFromIAndII) {
  EcgSignal s(500.0, 3);
  for (size_t t = 0; t < 3; ++t) {
    s.lead_uV(Lead::kI)[t] = 100.0f * (t + 1);
    s.lead_uV(Lead::kII)[t] = 300.0f;
  }
  s.set_status(Lead::kI, LeadStatus::kRecorded);
  s.set_status(Lead::kII, LeadStatus::kRecorded);
  s.DeriveLimbLeads();
  EXPECT_EQ(s.status(Lead::kIII), LeadStatus::kDerived);
  EXPECT_FLOAT_EQ(s.lead_uV(Lead::kIII)[0], 200.0f);
  EXPECT_FLOAT_EQ(s.lead_uV(Lead::kAVR)[0], -200.0f);
  EXPECT_FLOAT_EQ(s.lead_uV(Lead::kAVL)[0], -50.0f);
  EXPECT_FLOAT_EQ(s.lead_uV(Lead::kAVF)[0], 250.0f);
  EXPECT_EQ(s.status(Lead::kV1), LeadStatus::kMissing);
}

TEST(EcgSignal, RecoversLeadIFromIIAndIIIAndKeepsRecordedLeads) {
  EcgSignal s(500.0, 1);
  s.lead_uV(Lead::kII)[0] = 500.0f;
  s.lead_uV(Lead::kIII)[0] = 200.0f;
  s.lead_uV(Lead::kAVF)[0] = 123.0f;
  s.set_status(Lead::kII, LeadStatus::kRecorded);
  s.set_status(Lead::kIII, LeadStatus::kRecorded);
  s.set_status(Lead::kAVF, LeadStatus::kRecorded);
  s.DeriveLimbLeads();
  EXPECT_EQ(s.status(Lead::kI), LeadStatus::kDerived);
  EXPECT_FLOAT_EQ(s.lead_uV(Lead::kI)[0], 300.0f);
  EXPECT_FLOAT_EQ(s.lead_uV(Lead::kAVF)[0], 123.0f);
  EXPECT_EQ(s.status(Lead::kAVF), LeadStatus::kRecorded);
}

TEST(Lead, NamesParseInDeviceSpellings) {
  EXPECT_EQ(LeadFromName("aVR"), Lead::kAVR);
  EXPECT_EQ(LeadFromName("AVL"), Lead::kAVL);
  EXPECT_EQ(LeadFromName("Lead II"), Lead::kII);
  EXPECT_EQ(LeadFromName("v6"), Lead::kV6);
  EXPECT_FALSE(LeadFromName("V7").has_value());
  EXPECT_FALSE(LeadFromName("Pleth").has_value());
  EXPECT_FALSE(LeadFromName("-aVR").has_value());
}

}  // namespace
}  // namespace ecg
