#include "waveform/ecg_signal.h"

#include <gtest/gtest.h>

#include <vector>

#include "waveform/error.h"

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

// Fills and frees a buffer of the size an EcgSignal of n samples per lead takes, so that the next
// allocation of that size likely reuses memory holding non-zero samples.
void LeaveNonZeroSamplesOnTheHeap(size_t n) {
  SampleBuffer garbage(kLeadCount * n, 1234.5f);
  EXPECT_EQ(garbage.back(), 1234.5f);
}

TEST(EcgSignal, ThePublicConstructorZeroesEveryLeadEvenOnReusedMemory) {
  LeaveNonZeroSamplesOnTheHeap(5000);
  const EcgSignal s(500.0, 5000);
  for (float v : s.data_uV()) ASSERT_EQ(v, 0.0f);
  for (Lead lead : AllLeads()) EXPECT_EQ(s.status(lead), LeadStatus::kMissing);
}

TEST(EcgSignal, TheUninitialisedConstructorSizesTheSignalAndChecksTheRate) {
  const EcgSignal s(1000.0, 7, EcgSignal::UninitialisedSamples{});
  EXPECT_EQ(s.data_uV().size(), kLeadCount * 7);
  EXPECT_EQ(s.mask(), LeadMask());
  EXPECT_THROW(EcgSignal(0.0, 7, EcgSignal::UninitialisedSamples{}), Error);
}

TEST(SampleBuffer, InitialisesWhatItIsGivenAValueForLikeAVector) {
  SampleBuffer b(3, 1.5f);
  b.resize(5, 0.0f);
  EXPECT_EQ(ToVector(b), (std::vector<float>{1.5f, 1.5f, 1.5f, 0.0f, 0.0f}));
  b = {4.0f, -2.0f};
  EXPECT_EQ(ToVector(b), (std::vector<float>{4.0f, -2.0f}));
  EXPECT_EQ(SampleBuffer(b), b);
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
