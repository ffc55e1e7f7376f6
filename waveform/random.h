// Random: a small deterministic pseudo-random generator for synthetic data and tests.
//
// std:: distributions differ between standard libraries, so everything that must be the same on
// every machine draws from this instead: xoshiro256** seeded through splitmix64, uniform doubles
// from the top 53 bits, normals by the Box-Muller transform (std::log, std::sqrt, std::cos:
// correctly rounded or within one ulp in glibc, and callers round their results far coarser).
// Not for cryptography. A Random is a value type, not thread-safe; give each thread its own.
#pragma once

#include <cmath>
#include <cstdint>

namespace ecg {

// One step of splitmix64: a good 64-bit mix of its input, used to derive independent seeds.
inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The splitmix64 mix of a value, without state: a stable hash, e.g. to split patients by key.
inline uint64_t HashU64(uint64_t x) { return SplitMix64(x); }

// A seed for a sub-stream (patient, visit, ...) that does not overlap its parent's.
inline uint64_t DeriveSeed(uint64_t seed, uint64_t a, uint64_t b = 0) {
  uint64_t state = seed;
  uint64_t mixed = SplitMix64(state) ^ (a * 0xD6E8FEB86659FD93ull);
  state = mixed;
  mixed = SplitMix64(state) ^ (b * 0xA0761D6478BD642Full);
  state = mixed;
  return SplitMix64(state);
}

class Random {
 public:
  explicit Random(uint64_t seed) {
    uint64_t state = seed;
    for (uint64_t& word : s_) word = SplitMix64(state);
  }

  uint64_t NextU64() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n). REQUIRES: n > 0.
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>(Uniform() * static_cast<double>(n)); }
  bool Bernoulli(double p) { return Uniform() < p; }

  // Standard normal (Box-Muller; the second value of each pair is kept for the next call).
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - Uniform();  // (0, 1]: log is finite
    const double u2 = Uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 6.283185307179586 * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }
  double Normal(double mean, double sd) { return mean + sd * Normal(); }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t s_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace ecg
