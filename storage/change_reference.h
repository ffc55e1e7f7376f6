// ChangeReference: how unusual is the change between two ECGs of a patient, in this archive?
//
// The change between two ECGs is the distance of their embeddings under one model,
//   distance = 1 - cosine(a, b)                       (0: same direction, up to 2)
// and its score is a percentile among a reference: the distances of this archive's same-patient
// pairs of CONSECUTIVE ECGs (each patient's timeline i, i+1; EcgStore::ForEachConsecutivePair)
// whose time gap falls in the same bin:
//   "< 1 day", "1 day-1 month", "1-6 months", "6 months-2 years", "> 2 years"
// (a month is 30 days, a year 365 days; a bin holds gaps >= its lower bound and < its upper one).
// A pair whose gap is unknown (either time unknown) is scored against every reference pair
// ("any gap"); reference pairs of unknown gap count only there.
//   percentile = 100 * (reference distances strictly below the distance) / (reference size)
// so 97 reads "more change than 97% of this archive's consecutive same-patient pairs in this gap".
// With fewer than kMinReferencePairs reference pairs the percentile is nullopt with a reason.
// A statistic of this archive and model, not a diagnosis (docs/measurements.md).
//
// Pure (no store, no Orthanc). A built ChangeReference is immutable and thread-safe; the builder
// is not. Memory: 8 bytes per reference pair.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ecg {

constexpr size_t kGapBinCount = 5;
constexpr size_t kMinReferencePairs = 20;

// The bin of a time gap in milliseconds (its absolute value); nullopt for an unknown gap.
std::optional<size_t> GapBinOf(std::optional<int64_t> gap_ms);
// "< 1 day", ..., "> 2 years"; "any gap" for nullopt.
std::string GapBinName(std::optional<size_t> bin);

// 1 - cosine of two vectors of the same length. Throws Error::InvalidArgument when the lengths
// differ, a vector is empty or has zero norm.
double CosineDistance(const std::vector<float>& a, const std::vector<float>& b);

struct ChangeScore {
  std::optional<double> percentile;  // 0..100, one decimal; nullopt: see reason
  size_t pairs = 0;                  // the reference size it rests on
  std::string gap_bin;               // GapBinName
  std::optional<double> distance;   // nullopt only when there was nothing to measure
  std::string reason;  // empty when percentile is set
};

class ChangeReference {
 public:
  ChangeReference() = default;  // empty: every score has too few pairs
  // Scores a distance between two ECGs whose acquisition times are gap_ms apart (nullopt:
  // unknown).
  ChangeScore Score(double distance, std::optional<int64_t> gap_ms) const;
  size_t size() const { return all_.size(); }  // every reference pair
  size_t BinSize(std::optional<size_t> bin) const;

 private:
  friend class ChangeReferenceBuilder;
  std::array<std::vector<float>, kGapBinCount> bins_;  // sorted distances
  std::vector<float> all_;                             // sorted, every pair
};

class ChangeReferenceBuilder {
 public:
  // One reference pair: its distance and time gap (nullopt: unknown).
  void Add(double distance, std::optional<int64_t> gap_ms);
  // Sorts and hands over the reference; the builder is empty afterwards.
  ChangeReference Build();

 private:
  ChangeReference reference_;
};

}  // namespace ecg
