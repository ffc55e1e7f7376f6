// decode(encode(x)) == x within one quantisation step, for every SOP class the encoder picks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "tests/waveform/dicom/dicom_fixtures.h"
#include "waveform/dicom/decoder.h"
#include "waveform/dicom/sop_class.h"

namespace ecg::dicom {
namespace {

using testing::EncodeSignal;
using testing::MakeMetadata;
using testing::MakeSignal;

double Sensitivity(const std::vector<uint8_t>& bytes, size_t channel) {
  auto file = ParseDicom(bytes.data(), bytes.size());
  DcmItem* group = nullptr;
  file->getDataset()->findAndGetSequenceItem(DCM_WaveformSequence, group, 0);
  DcmItem* definition = nullptr;
  group->findAndGetSequenceItem(DCM_ChannelDefinitionSequence, definition, channel);
  return *GetNumber(*definition, DCM_ChannelSensitivity);
}

void ExpectWithinOneStep(const EcgSignal& signal, const std::vector<uint8_t>& bytes) {
  const EcgRecord record = DecodeEcg(bytes.data(), bytes.size());
  ASSERT_EQ(record.rhythm.channels.size(), kLeadCount);
  EXPECT_DOUBLE_EQ(record.rhythm.sample_rate_hz, signal.sample_rate_hz());
  ASSERT_EQ(record.rhythm.samples_per_channel, signal.samples_per_lead());
  for (size_t c = 0; c < kLeadCount; ++c) {
    const Channel& channel = record.rhythm.channels[c];
    ASSERT_TRUE(channel.lead.has_value());
    const float* original = signal.lead_uV(*channel.lead);
    const double step = Sensitivity(bytes, c);
    double worst = 0;
    for (size_t t = 0; t < signal.samples_per_lead(); ++t) {
      worst = std::max(worst, std::abs(double(channel.samples_uV[t]) - original[t]));
    }
    EXPECT_LE(worst, step) << LeadName(*channel.lead);
  }
}

void ExpectRoundTripAs(double rate_hz, double seconds, std::string_view sop_class) {
  const EcgSignal signal = MakeSignal(rate_hz, seconds);
  const auto bytes = EncodeSignal(signal);
  ExpectWithinOneStep(signal, bytes);
  EXPECT_EQ(DecodeEcg(bytes.data(), bytes.size()).metadata.sop_class_uid, sop_class);
}

TEST(RoundTrip, ATenSecond500HzEcgIsA12LeadEcgThatDecodesToItselfWithinOneStep) {
  ExpectRoundTripAs(500, 10, kTwelveLeadEcgSopClass);
}

TEST(RoundTrip, ALongRecordingBecomesAGeneralEcgAndRoundTrips) {
  ExpectRoundTripAs(250, 60, kGeneralEcgSopClass);
}

TEST(RoundTrip, A100HzRecordingBecomesAnAmbulatoryEcgAndRoundTrips) {
  ExpectRoundTripAs(100, 10, kAmbulatoryEcgSopClass);
}

TEST(RoundTrip, A1000HzRecordingRoundTrips) {
  ExpectRoundTripAs(1000, 10, kTwelveLeadEcgSopClass);
}

TEST(RoundTrip, LargeAmplitudesGetACoarserSensitivityThatStillFitsInt16) {
  EcgSignal signal = MakeSignal(500, 2);
  float* lead = signal.lead_uV(Lead::kV2);
  for (size_t t = 0; t < signal.samples_per_lead(); ++t) lead[t] *= 40;  // about +-70 mV
  const auto bytes = EncodeSignal(signal);
  EXPECT_GT(Sensitivity(bytes, 7), 1.0);
  EXPECT_DOUBLE_EQ(Sensitivity(bytes, 0), 1.0);
  ExpectWithinOneStep(signal, bytes);
}

TEST(RoundTrip, MetadataSurvivesEncodeAndDecode) {
  const auto bytes = EncodeSignal(MakeSignal(500, 1));
  const EcgMetadata in = MakeMetadata();
  const EcgMetadata out = DecodeEcg(bytes.data(), bytes.size()).metadata;
  EXPECT_EQ(out.patient_id, in.patient_id);
  EXPECT_EQ(out.issuer_of_patient_id, in.issuer_of_patient_id);
  EXPECT_EQ(out.birth_date, in.birth_date);
  EXPECT_EQ(out.sex, in.sex);
  EXPECT_EQ(out.patient_age_years, in.patient_age_years);
  EXPECT_EQ(out.acquisition_time_ms, in.acquisition_time_ms);
  EXPECT_EQ(out.utc_offset_minutes, in.utc_offset_minutes);
  EXPECT_EQ(out.acquisition_time_source, "acquisition");
  EXPECT_EQ(out.manufacturer, in.manufacturer);
  EXPECT_EQ(out.model, in.model);
  EXPECT_EQ(out.low_frequency_filter_hz, in.low_frequency_filter_hz);
  EXPECT_EQ(out.high_frequency_filter_hz, in.high_frequency_filter_hz);
  EXPECT_EQ(out.notch_filter_hz, in.notch_filter_hz);
  ASSERT_EQ(out.measurements.size(), 1u);
  EXPECT_EQ(out.measurements[0].name, "QRS Duration");
  EXPECT_EQ(out.measurements[0].code, "SCPECG:5.13.5-9");
  EXPECT_EQ(out.measurements[0].value, 92);
  EXPECT_EQ(out.measurements[0].unit, "ms");
  EXPECT_EQ(out.statements, std::vector<std::string>{"SINUS RHYTHM"});
  EXPECT_FALSE(out.sop_instance_uid.empty());
  EXPECT_FALSE(out.study_instance_uid.empty());
  EXPECT_FALSE(out.series_instance_uid.empty());
}

TEST(RoundTrip, GivenUidsAreKeptAndMissingOnesAreGeneratedUnique) {
  EcgMetadata m = MakeMetadata();
  m.sop_instance_uid = "1.2.3.4.5";
  const EcgSignal signal = MakeSignal(500, 1);
  const auto a = EncodeEcg(m, signal);
  const auto b = EncodeEcg(MakeMetadata(), signal);
  const auto c = EncodeEcg(MakeMetadata(), signal);
  EXPECT_EQ(DecodeEcg(a.data(), a.size()).metadata.sop_instance_uid, "1.2.3.4.5");
  EXPECT_NE(DecodeEcg(b.data(), b.size()).metadata.sop_instance_uid,
            DecodeEcg(c.data(), c.size()).metadata.sop_instance_uid);
}

TEST(RoundTrip, DerivedLeadsAreNotWritten) {
  EcgSignal signal = MakeSignal(500, 1);
  testing::SetDerivableLeads(&signal, LeadStatus::kDerived);
  const auto bytes = EncodeSignal(signal);
  const EcgRecord record = DecodeEcg(bytes.data(), bytes.size());
  EXPECT_EQ(record.rhythm.channels.size(), 8u);
}

TEST(RoundTrip, EncodingNothingRecordedIsAnInvalidArgument) {
  EcgSignal signal(500, 100);
  EXPECT_THROW(EncodeEcg(MakeMetadata(), signal), Error);
}

}  // namespace
}  // namespace ecg::dicom
