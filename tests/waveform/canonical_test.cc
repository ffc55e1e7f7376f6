#include "waveform/canonical.h"

#include <gtest/gtest.h>

#include <cmath>

#include "waveform/error.h"

namespace ecg {
namespace {

constexpr double kPi = 3.14159265358979323846;

Channel SineChannel(std::optional<Lead> lead, const std::string& label, double freq_hz,
                    double amplitude_uV, double rate_hz, size_t n) {
  Channel channel;
  channel.label = label;
  channel.lead = lead;
  channel.samples_uV.resize(n);
  for (size_t t = 0; t < n; ++t) {
    channel.samples_uV[t] =
        static_cast<float>(amplitude_uV * std::sin(2 * kPi * freq_hz * t / rate_hz) + 0.3);
  }
  return channel;
}

WaveformGroup Group(double rate_hz, size_t n) {
  WaveformGroup group;
  group.label = "RHYTHM";
  group.sample_rate_hz = rate_hz;
  group.samples_per_channel = n;
  return group;
}

bool AllWholeMicrovolts(const EcgSignal& s) {
  for (float v : s.data_uV()) {
    if (v != std::nearbyint(v)) return false;
  }
  return true;
}

TEST(Canonicalise, LeadsNoChannelGivesAreZeroEvenOnReusedMemory) {
  for (double rate_hz : {500.0, 1000.0}) {
    {
      SampleBuffer garbage(kLeadCount * 2500, -77.0f);  // freed: the signal below may reuse it
      ASSERT_EQ(garbage.front(), -77.0f);
    }
    WaveformGroup group = Group(rate_hz, static_cast<size_t>(rate_hz * 5));
    group.channels.push_back(
        SineChannel(Lead::kV4, "V4", 3, 900, rate_hz, group.samples_per_channel));
    const EcgSignal s = Canonicalise(group);
    ASSERT_EQ(s.samples_per_lead(), 2500u);
    for (Lead lead : AllLeads()) {
      if (lead == Lead::kV4) continue;
      EXPECT_EQ(s.status(lead), LeadStatus::kMissing);
      for (size_t t = 0; t < 2500; ++t) ASSERT_EQ(s.lead_uV(lead)[t], 0.0f) << t;
    }
  }
}

TEST(Canonicalise, ResamplesToFiveHundredHertzInWholeMicrovoltsAndDerivesLimbLeads) {
  WaveformGroup group = Group(1000, 10000);
  group.channels.push_back(SineChannel(Lead::kII, "II", 3, 1200, 1000, 10000));
  group.channels.push_back(SineChannel(Lead::kI, "I", 5, 800, 1000, 10000));
  group.channels.push_back(SineChannel(Lead::kV2, "V2", 7, 1500, 1000, 10000));
  const EcgSignal s = Canonicalise(group);
  EXPECT_EQ(s.sample_rate_hz(), kCanonicalRate_hz);
  ASSERT_EQ(s.samples_per_lead(), 5000u);
  EXPECT_TRUE(AllWholeMicrovolts(s));
  EXPECT_EQ(s.status(Lead::kI), LeadStatus::kRecorded);
  EXPECT_EQ(s.status(Lead::kV2), LeadStatus::kRecorded);
  EXPECT_EQ(s.status(Lead::kIII), LeadStatus::kDerived);
  EXPECT_EQ(s.status(Lead::kAVF), LeadStatus::kDerived);
  EXPECT_EQ(s.status(Lead::kV1), LeadStatus::kMissing);
  for (size_t t = 0; t < 5000; ++t) {
    ASSERT_EQ(s.lead_uV(Lead::kIII)[t], s.lead_uV(Lead::kII)[t] - s.lead_uV(Lead::kI)[t]);
    ASSERT_EQ(s.lead_uV(Lead::kV1)[t], 0.0f);
    const double expected_i = 800 * std::sin(2 * kPi * 5 * t / 500.0) + 0.3;
    ASSERT_NEAR(s.lead_uV(Lead::kI)[t], expected_i, 0.5 + 800 * 2e-3) << t;
  }
  for (size_t t = 0; t < 5000; ++t) {
    const float i = s.lead_uV(Lead::kI)[t], ii = s.lead_uV(Lead::kII)[t];
    ASSERT_EQ(s.lead_uV(Lead::kAVR)[t], std::nearbyint(-0.5f * (i + ii)));
  }
}

TEST(Canonicalise, KeepsSamplesAtTheCanonicalRateAndOnlyRoundsThem) {
  WaveformGroup group = Group(500, 7);
  Channel v1;
  v1.lead = Lead::kV1;
  v1.samples_uV = {1.25f, -2.5f, 3.5f, 0.0f, 1000.75f, -0.4f, 7.0f};
  group.channels.push_back(v1);
  const EcgSignal s = Canonicalise(group);
  ASSERT_EQ(s.samples_per_lead(), 7u);
  const std::vector<float> expected = {1, -2, 4, 0, 1001, -0, 7};
  for (size_t t = 0; t < 7; ++t) EXPECT_EQ(s.lead_uV(Lead::kV1)[t], expected[t]) << t;
  EXPECT_EQ(s.mask().CountPresent(), 1u);  // no I or II: nothing derived
}

TEST(Canonicalise, RoundsHugeValuesExactlyToo) {
  WaveformGroup group = Group(500, 9);
  Channel v1;
  v1.lead = Lead::kV1;
  v1.samples_uV = {2.5f, 3.5f, 5000000.5f, -6000000.5f, 1.5f, -2.5f, 0.49f, 7.5f, -1.5f};
  group.channels.push_back(v1);
  const EcgSignal s = Canonicalise(group);
  const std::vector<float> expected = {2, 4, 5000000, -6000000, 2, -2, 0, 8, -2};
  for (size_t t = 0; t < 9; ++t) EXPECT_EQ(s.lead_uV(Lead::kV1)[t], expected[t]) << t;
}

TEST(Canonicalise, UsesTheFirstChannelOfARepeatedLeadAndIgnoresNonEcgChannels) {
  WaveformGroup group = Group(250, 2500);
  group.channels.push_back(SineChannel(std::nullopt, "Resp", 0.3, 5000, 250, 2500));
  group.channels.push_back(SineChannel(Lead::kI, "I", 2, 500, 250, 2500));
  group.channels.push_back(SineChannel(Lead::kI, "I again", 2, 900, 250, 2500));
  const EcgSignal s = Canonicalise(group);
  ASSERT_EQ(s.samples_per_lead(), 5000u);
  float peak = 0;
  for (size_t t = 0; t < 5000; ++t) peak = std::max(peak, std::fabs(s.lead_uV(Lead::kI)[t]));
  EXPECT_NEAR(peak, 500, 2);
  EXPECT_EQ(s.mask().CountPresent(), 1u);
}

TEST(Canonicalise, HonoursAnotherOutputRate) {
  WaveformGroup group = Group(500, 5000);
  group.channels.push_back(SineChannel(Lead::kII, "II", 1, 1000, 500, 5000));
  CanonicalOptions options;
  options.sample_rate_hz = 250;
  EXPECT_EQ(Canonicalise(group, options).samples_per_lead(), 2500u);
}

TEST(Canonicalise, RefusesGroupsWithoutLeadIOrIIOrAPrecordialLead) {
  WaveformGroup group = Group(500, 10);
  group.channels.push_back(SineChannel(Lead::kAVF, "aVF", 1, 100, 500, 10));
  group.channels.push_back(SineChannel(std::nullopt, "Pleth", 1, 100, 500, 10));
  try {
    Canonicalise(group);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsUnsupported()) << e.what();
  }
}

TEST(Canonicalise, RefusesBadRatesAndChannelsOfTheWrongLength) {
  WaveformGroup group = Group(500, 10);
  group.channels.push_back(SineChannel(Lead::kI, "I", 1, 100, 500, 9));
  EXPECT_THROW(Canonicalise(group), Error);
  group.channels[0].samples_uV.resize(10, 0.0f);
  CanonicalOptions options;
  options.sample_rate_hz = 0;
  EXPECT_THROW(Canonicalise(group, options), Error);
  group.sample_rate_hz = -500;
  EXPECT_THROW(Canonicalise(group), Error);
}

}  // namespace
}  // namespace ecg
