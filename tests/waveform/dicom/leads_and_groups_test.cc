// Leads are found by code (SCPECG, MDC, legacy forms) or label in any channel order; limb leads
// that were not recorded are derived by Canonicalise from the decoded group; the rhythm and
// median-beat groups are chosen as the decoder's contract says.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include <dcmtk/dcmdata/dcsequen.h>

#include "tests/waveform/dicom/dicom_fixtures.h"
#include "waveform/canonical.h"
#include "waveform/dicom/lead_codes.h"

namespace ecg::dicom {
namespace {

using testing::Edit;
using testing::EditChannel;
using testing::EditGroup;
using testing::EncodeSignal;
using testing::MakeSignal;

TEST(LeadCodes, ScpEcgMdcAndLegacyCodesNameTheSameLeads) {
  EXPECT_EQ(LeadFromCodeValue("5.6.3-9-1"), Lead::kI);
  EXPECT_EQ(LeadFromCodeValue("5.6.3-9-61"), Lead::kIII);
  EXPECT_EQ(LeadFromCodeValue("5.6.3-9-64"), Lead::kAVF);
  EXPECT_EQ(LeadFromCodeValue("2:2"), Lead::kII);
  EXPECT_EQ(LeadFromCodeValue("2:62"), Lead::kAVR);
  EXPECT_EQ(LeadFromCodeValue("131075"), Lead::kV1);  // (2 << 16) + 3
  EXPECT_EQ(LeadFromCodeValue("MDC_ECG_LEAD_aVL"), Lead::kAVL);
  EXPECT_EQ(LeadFromCodeValue("MDC_ECG_LEAD_V6"), Lead::kV6);
}

TEST(LeadCodes, CodesOfNonStandardLeadsIdentifyNothing) {
  EXPECT_EQ(LeadFromCodeValue("5.6.3-9-9"), std::nullopt);  // V7
  EXPECT_EQ(LeadFromCodeValue("2:abc"), std::nullopt);
  EXPECT_EQ(LeadFromCodeValue(""), std::nullopt);
  EXPECT_EQ(LeadFromCodeValue("42"), std::nullopt);
}

TEST(LeadCodes, LabelAndThenMeaningAreTheFallbacks) {
  EXPECT_EQ(IdentifyLead("", "V3", ""), Lead::kV3);
  EXPECT_EQ(IdentifyLead("X-1", "", "Lead I (Einthoven)"), Lead::kI);
  EXPECT_EQ(IdentifyLead("", "Pleth", "Plethysmogram"), std::nullopt);
}

TEST(LeadCodes, EveryLeadsWrittenCodeReadsBackAsThatLead) {
  for (Lead lead : AllLeads()) EXPECT_EQ(LeadFromCodeValue(ScpEcgCode(lead).value), lead);
}

// Rewrites channel c's source code as MDC "2:N" and drops its label.
std::vector<uint8_t> AsMdcWithoutLabels(const std::vector<uint8_t>& bytes) {
  static const char* kMdc[] = {"2:1", "2:2", "2:61", "2:62", "2:63", "2:64",
                               "2:3", "2:4", "2:5",  "2:6",  "2:7",  "2:8"};
  std::vector<uint8_t> out = bytes;
  for (long c = 0; c < 12; ++c) {
    out = EditChannel(out, c, [&](DcmItem& channel) {
      channel.findAndDeleteElement(DCM_ChannelLabel);
      DcmItem* source = nullptr;
      channel.findAndGetSequenceItem(DCM_ChannelSourceSequence, source, 0);
      source->putAndInsertString(DCM_CodeValue, kMdc[c]);
      source->putAndInsertString(DCM_CodingSchemeDesignator, "MDC");
    });
  }
  return out;
}

TEST(Leads, MdcCodedChannelsAreIdentified) {
  const auto bytes = AsMdcWithoutLabels(EncodeSignal(MakeSignal(500, 1)));
  const EcgRecord record = DecodeEcg(bytes.data(), bytes.size());
  for (size_t c = 0; c < 12; ++c) {
    EXPECT_EQ(record.rhythm.channels[c].lead, AllLeads()[c]);
    EXPECT_EQ(record.rhythm.channels[c].source_code.substr(0, 2), "2:");
  }
}

TEST(Leads, ChannelsInAnyOrderCanonicaliseToTheSameSignal) {
  const EcgSignal signal = MakeSignal(500, 2);
  const auto bytes = EncodeSignal(signal);
  EcgRecord record = DecodeEcg(bytes.data(), bytes.size());
  const EcgSignal in_order = Canonicalise(record.rhythm);
  std::mt19937 rng(3);
  std::shuffle(record.rhythm.channels.begin(), record.rhythm.channels.end(), rng);
  EXPECT_EQ(Canonicalise(record.rhythm).data_uV(), in_order.data_uV());
}

TEST(Leads, MissingLimbLeadsAreDerivedFromIAndII) {
  EcgSignal signal = MakeSignal(500, 2);
  testing::SetDerivableLeads(&signal, LeadStatus::kMissing);
  const auto bytes = EncodeSignal(signal);
  const EcgRecord record = DecodeEcg(bytes.data(), bytes.size());
  ASSERT_EQ(record.rhythm.channels.size(), 8u);
  const EcgSignal canonical = Canonicalise(record.rhythm);
  EXPECT_EQ(canonical.status(Lead::kI), LeadStatus::kRecorded);
  EXPECT_EQ(canonical.status(Lead::kIII), LeadStatus::kDerived);
  EXPECT_EQ(canonical.status(Lead::kAVF), LeadStatus::kDerived);
  const float* i = canonical.lead_uV(Lead::kI);
  const float* ii = canonical.lead_uV(Lead::kII);
  const float* iii = canonical.lead_uV(Lead::kIII);
  for (size_t t = 0; t < canonical.samples_per_lead(); t += 37) {
    EXPECT_NEAR(iii[t], ii[t] - i[t], 1.0) << t;
  }
}

// Adds a copy of group 0 relabelled, with the given originality and sample count (data cut).
std::vector<uint8_t> WithExtraGroup(const std::vector<uint8_t>& bytes, const char* label,
                                    const char* originality, Uint32 samples) {
  return Edit(bytes, [&](DcmDataset& d) {
    DcmSequenceOfItems* sequence = nullptr;
    d.findAndGetSequence(DCM_WaveformSequence, sequence);
    auto* copy = new DcmItem(*sequence->getItem(0));
    copy->putAndInsertString(DCM_MultiplexGroupLabel, label);
    copy->putAndInsertString(DCM_WaveformOriginality, originality);
    copy->putAndInsertUint32(DCM_NumberOfWaveformSamples, samples);
    Uint16* words = nullptr;
    DcmElement* data = nullptr;
    copy->findAndGetElement(DCM_WaveformData, data);
    data->getUint16Array(words);
    std::vector<Uint16> cut(words, words + samples * 12);
    copy->putAndInsertUint16Array(DCM_WaveformData, cut.data(), cut.size());
    sequence->insert(copy);
  });
}

TEST(Groups, AMedianBeatGroupIsKeptBesideTheRhythm) {
  const auto bytes =
      WithExtraGroup(EncodeSignal(MakeSignal(500, 2)), "MEDIAN BEAT", "DERIVED", 600);
  const EcgRecord record = DecodeEcg(bytes.data(), bytes.size());
  EXPECT_EQ(record.rhythm.label, "RHYTHM");
  ASSERT_TRUE(record.median_beat.has_value());
  EXPECT_EQ(record.median_beat->samples_per_channel, 600u);
  EXPECT_FALSE(record.median_beat->original);
  EXPECT_TRUE(record.other_groups.empty());
}

TEST(Groups, WithoutARhythmLabelTheLongestOriginalGroupIsTheRhythm) {
  auto bytes = EncodeSignal(MakeSignal(500, 2));
  bytes = EditGroup(bytes, [](DcmItem& g) { g.putAndInsertString(DCM_MultiplexGroupLabel, "A"); });
  bytes = WithExtraGroup(bytes, "B", "ORIGINAL", 400);
  const EcgRecord record = DecodeEcg(bytes.data(), bytes.size());
  EXPECT_EQ(record.rhythm.label, "A");
  ASSERT_EQ(record.other_groups.size(), 1u);
  EXPECT_EQ(record.other_groups[0].label, "B");
  EXPECT_EQ(record.other_groups[0].channels[0].samples_uV.size(), 400u);
}

TEST(Groups, OtherGroupsCanBeLeftUndecoded) {
  const auto bytes = WithExtraGroup(EncodeSignal(MakeSignal(500, 2)), "EXTRA", "ORIGINAL", 100);
  DecodeOptions options;
  options.decode_other_groups = false;
  const EcgRecord record = DecodeEcg(bytes.data(), bytes.size(), options);
  ASSERT_EQ(record.other_groups.size(), 1u);
  EXPECT_TRUE(record.other_groups[0].channels[0].samples_uV.empty());
}

TEST(Groups, AnotherWaveformClassWithEcgLeadsIsDecodedAndKeepsItsClass) {
  const char* kHemodynamic = "1.2.840.10008.5.1.4.1.1.9.2.1";
  const auto bytes = Edit(EncodeSignal(MakeSignal(500, 1)), [&](DcmDataset& d) {
    d.putAndInsertString(DCM_SOPClassUID, kHemodynamic);
  });
  const EcgRecord record = DecodeEcg(bytes.data(), bytes.size());
  EXPECT_EQ(record.metadata.sop_class_uid, kHemodynamic);
  EXPECT_EQ(record.rhythm.channels.size(), 12u);
}

}  // namespace
}  // namespace ecg::dicom
