#include "storage/change_reference.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "waveform/error.h"

namespace ecg {
namespace {

constexpr int64_t kDay_ms = 86400000;
// Upper bounds of the bins but the last (exclusive).
constexpr std::array<int64_t, kGapBinCount - 1> kBinUpper_ms = {kDay_ms, 30 * kDay_ms,
                                                                180 * kDay_ms, 730 * kDay_ms};
const std::array<const char*, kGapBinCount> kBinNames = {
    "< 1 day", "1 day-1 month", "1-6 months", "6 months-2 years", "> 2 years"};

}  // namespace

std::optional<size_t> GapBinOf(std::optional<int64_t> gap_ms) {
  if (!gap_ms) return std::nullopt;
  const int64_t gap = *gap_ms < 0 ? -*gap_ms : *gap_ms;
  size_t bin = 0;
  while (bin < kBinUpper_ms.size() && gap >= kBinUpper_ms[bin]) ++bin;
  return bin;
}

std::string GapBinName(std::optional<size_t> bin) {
  return bin ? kBinNames.at(*bin) : "any gap";
}

double CosineDistance(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size() || a.empty()) {
    throw Error::InvalidArgument("cosine distance: vectors of lengths " + std::to_string(a.size()) +
                                 " and " + std::to_string(b.size()));
  }
  double dot = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += double{a[i]} * b[i];
    aa += double{a[i]} * a[i];
    bb += double{b[i]} * b[i];
  }
  if (aa <= 0 || bb <= 0) throw Error::InvalidArgument("cosine distance: a zero vector");
  return 1.0 - dot / std::sqrt(aa * bb);
}

size_t ChangeReference::BinSize(std::optional<size_t> bin) const {
  return bin ? bins_.at(*bin).size() : all_.size();
}

ChangeScore ChangeReference::Score(double distance, std::optional<int64_t> gap_ms) const {
  const std::optional<size_t> bin = GapBinOf(gap_ms);
  const std::vector<float>& reference = bin ? bins_[*bin] : all_;
  ChangeScore score;
  score.pairs = reference.size();
  score.gap_bin = GapBinName(bin);
  score.distance = distance;
  if (reference.size() < kMinReferencePairs) {
    score.reason =
        "too few same-patient pairs in this gap (" + std::to_string(reference.size()) + ")";
    return score;
  }
  // Distances are kept as float: compare in float too, so a distance equal to a stored one
  // is not counted below itself.
  const float d = static_cast<float>(distance);
  const size_t below = std::lower_bound(reference.begin(), reference.end(), d) - reference.begin();
  score.percentile = std::round(1000.0 * below / reference.size()) / 10.0;
  return score;
}

void ChangeReferenceBuilder::Add(double distance, std::optional<int64_t> gap_ms) {
  const float d = static_cast<float>(distance);
  if (const std::optional<size_t> bin = GapBinOf(gap_ms)) reference_.bins_[*bin].push_back(d);
  reference_.all_.push_back(d);
}

ChangeReference ChangeReferenceBuilder::Build() {
  for (std::vector<float>& bin : reference_.bins_) std::sort(bin.begin(), bin.end());
  std::sort(reference_.all_.begin(), reference_.all_.end());
  ChangeReference built = std::move(reference_);
  reference_ = ChangeReference();
  return built;
}

}  // namespace ecg
