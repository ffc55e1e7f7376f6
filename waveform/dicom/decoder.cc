#include "waveform/dicom/decoder.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <string>
#include <vector>

#include "waveform/dicom/annotation_reader.h"
#include "waveform/dicom/dataset_access.h"
#include "waveform/dicom/item_view.h"
#include "waveform/dicom/metadata_reader.h"
#include "waveform/dicom/sop_class.h"
#include "waveform/dicom/waveform_group_reader.h"
#include "waveform/error.h"

namespace ecg::dicom {

namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool IsMedianBeat(const WaveformGroup& group) {
  const std::string label = Upper(group.label);
  return label == "MEDIAN BEAT" || label == "REPRESENTATIVE BEAT" || label == "MEDIAN";
}

// RHYTHM, else the longest ORIGINAL group that is not a median beat, else the longest group.
size_t ChooseRhythm(const std::vector<GroupHeader>& groups) {
  for (size_t i = 0; i < groups.size(); ++i) {
    if (Upper(groups[i].group.label) == "RHYTHM") return i;
  }
  size_t best = groups.size();
  for (int pass = 0; pass < 2 && best == groups.size(); ++pass) {
    for (size_t i = 0; i < groups.size(); ++i) {
      const WaveformGroup& g = groups[i].group;
      if (pass == 0 && (!g.original || IsMedianBeat(g))) continue;
      if (best == groups.size() || g.duration_ms() > groups[best].group.duration_ms()) best = i;
    }
  }
  return best;
}

void RequireEcgClass(const std::string& sop_class) {
  if (sop_class.empty()) throw Error::Corruption(TagName(DCM_SOPClassUID) + " is missing");
  if (ClassifySopClass(sop_class) == SopClassKind::kNotWaveform) {
    throw Error::Unsupported("SOP class " + std::string(SopClassName(sop_class)) + " (" +
                             sop_class + ") is not a waveform");
  }
}

void RequireLeadsInOtherWaveform(const std::string& sop_class,
                                 const std::vector<GroupHeader>& groups) {
  if (ClassifySopClass(sop_class) != SopClassKind::kOtherWaveform) return;
  for (const GroupHeader& header : groups) {
    for (const Channel& channel : header.group.channels) {
      if (channel.lead) return;
    }
  }
  throw Error::Unsupported("SOP class " + std::string(SopClassName(sop_class)) +
                           " holds no standard ECG lead");
}

std::vector<GroupHeader> ReadGroupHeaders(const ItemView& dataset, const DecodeOptions& options) {
  const auto count = dataset.CountItems(DCM_WaveformSequence);
  if (!count) throw Error::Corruption("missing " + TagName(DCM_WaveformSequence));
  if (*count == 0) throw Error::Corruption(TagName(DCM_WaveformSequence) + " is empty");
  if (*count > options.max_groups) {
    throw Error::Unsupported(TagName(DCM_WaveformSequence) + " has " + std::to_string(*count) +
                             " items, more than the limit of " +
                             std::to_string(options.max_groups));
  }
  std::vector<GroupHeader> groups;
  groups.reserve(*count);
  for (size_t i = 0; i < *count; ++i) {
    const ItemView* item = dataset.GetItem(DCM_WaveformSequence, i);
    if (item == nullptr)
      throw Error::Corruption("unreadable WaveformSequence item " + std::to_string(i));
    groups.push_back(ReadGroupHeader(*item, i, options));
  }
  return groups;
}

void ApplyFilters(const ChannelFilters& filters, EcgMetadata* metadata) {
  metadata->low_frequency_filter_hz = filters.low_hz;
  metadata->high_frequency_filter_hz = filters.high_hz;
  metadata->notch_filter_hz = filters.notch_hz;
}

EcgRecord Assemble(std::vector<GroupHeader>& groups, const DecodeOptions& options,
                   EcgMetadata metadata) {
  EcgRecord record;
  const size_t rhythm = ChooseRhythm(groups);
  ApplyFilters(groups[rhythm].filters, &metadata);
  record.metadata = std::move(metadata);
  for (size_t i = 0; i < groups.size(); ++i) {
    GroupHeader& header = groups[i];
    const bool median = i != rhythm && !record.median_beat && IsMedianBeat(header.group);
    if (i == rhythm || median || options.decode_other_groups) DecodeGroupSamples(&header);
    if (i == rhythm) {
      record.rhythm = std::move(header.group);
    } else if (median) {
      record.median_beat = std::move(header.group);
    } else {
      record.other_groups.push_back(std::move(header.group));
    }
  }
  return record;
}

}  // namespace

EcgRecord DecodeEcg(const uint8_t* data, size_t size, const DecodeOptions& options) {
  const std::unique_ptr<ParsedDicom> file = ParseForDecoding(data, size, options.prefer_dcmtk);
  const ItemView& dataset = file->dataset();
  EcgMetadata metadata = ReadMetadata(dataset);
  RequireEcgClass(metadata.sop_class_uid);
  std::vector<GroupHeader> groups = ReadGroupHeaders(dataset, options);
  RequireLeadsInOtherWaveform(metadata.sop_class_uid, groups);
  ReadAnnotations(dataset, &metadata);
  return Assemble(groups, options, std::move(metadata));
}

EcgRecord DecodeEcgFile(const std::string& path, const DecodeOptions& options) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error::NotFound("cannot open " + path);
  std::vector<uint8_t> bytes(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()))) {
    throw Error::NotFound("cannot read " + path);
  }
  try {
    return DecodeEcg(bytes.data(), bytes.size(), options);
  } catch (const Error& e) {
    throw Error(e.code(), path + ": " + e.what());
  }
}

}  // namespace ecg::dicom
