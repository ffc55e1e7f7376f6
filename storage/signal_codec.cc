#include "storage/signal_codec.h"

#include <zstd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "waveform/error.h"
#include "waveform/float_lanes.h"
#include "waveform/sample_buffer.h"

namespace ecg {

namespace {

// "ECZ1" (until November 2026): varints of every lead's second differences. "ECZ2": one byte per
// sample (signal_codec.h). Both decode.
constexpr char kMagicVarints[4] = {'E', 'C', 'Z', '1'};
constexpr char kMagic[4] = {'E', 'C', 'Z', '2'};
constexpr size_t kHeaderBytes = 16;
// A 10 s, 12-lead, 1 kHz signal is 120,000 samples; the cap refuses absurd headers before
// allocating.
constexpr uint64_t kMaxSamples = 12ull * 1000 * 60 * 60 * 2;  // two hours at 1 kHz, 12 leads
// A residual byte of 255 says "the value is the next escape" (8 bytes, little-endian).
constexpr uint8_t kEscape = 255;
// Below this magnitude (268 V) the residuals of int32 samples fit int32: the vector path.
constexpr int32_t kVectorLimit_uV = 1 << 28;

template <typename T>
using Scratch = std::vector<T, DefaultInitAllocator<T>>;

// count values, uninitialised. Not Scratch for the encoder's buffers: a vector with a custom
// allocator that grows copies its bytes one at a time (6% of an encode when it did).
template <typename T>
std::unique_ptr<T[]> Uninitialised(size_t count) {
  return std::unique_ptr<T[]>(new T[count]);
}

// How a lead's samples are predicted. Second differences: x[t] - 2x[t-1] + x[t-2]. Limb leads
// III, aVR, aVL and aVF when I and II are present (Einthoven's and Goldberger's equations up to
// the device's rounding): x[t] - ((a * I[t] + b * II[t]) >> 1), >> rounding down.
struct Predictor {
  bool from_limb_leads = false;
  int32_t a = 0, b = 0;
};

Predictor PredictorOf(Lead lead, const LeadMask& mask) {
  if (!mask.present(Lead::kI) || !mask.present(Lead::kII)) return {};
  switch (lead) {
    case Lead::kIII:
      return {true, -2, 2};  // II - I
    case Lead::kAVR:
      return {true, -1, -1};  // -(I + II) / 2
    case Lead::kAVL:
      return {true, 2, -1};  // I - II / 2
    case Lead::kAVF:
      return {true, -1, 2};  // II - I / 2
    default:
      return {};
  }
}

// The samples of one signal as int32 whole µV, lead-major like EcgSignal (missing leads absent).
struct WholeSamples {
  std::unique_ptr<int32_t[]> q;
  std::array<const int32_t*, kLeadCount> lead{};  // nullptr for a missing lead
  int32_t max_magnitude = 0;
};

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// The residual of sample t, in int64 (exact for any int32 samples).
int64_t Residual(const int32_t* x, size_t t, const Predictor& p, const int32_t* i,
                 const int32_t* ii) {
  if (p.from_limb_leads) return x[t] - ((int64_t{p.a} * i[t] + int64_t{p.b} * ii[t]) >> 1);
  const int64_t prev1 = t >= 1 ? x[t - 1] : 0, prev2 = t >= 2 ? x[t - 2] : 0;
  return x[t] - 2 * prev1 + prev2;
}

// Integer lanes beside float_lanes.h's Lanes (eight floats).
typedef int32_t Ints8 __attribute__((vector_size(32), aligned(4)));
typedef uint32_t Uints8 __attribute__((vector_size(32), aligned(4)));
typedef uint8_t Bytes32 __attribute__((vector_size(32), aligned(1)));
typedef uint8_t Bytes8 __attribute__((vector_size(8), aligned(1)));

// Converts n samples to int32 at q, returning false if one is not a whole number of µV within
// int32 (a fraction, an overflow or a NaN); *max_magnitude grows to the largest |sample|.
ECG_MULTIVERSION bool ConvertLead(const float* x, size_t n, int32_t* q, int32_t* max_magnitude) {
  constexpr float kTwoPow31 = 2147483648.0f;
  Ints8 bad = {}, hi = {}, lo = {};
  size_t t = 0;
  for (; t + kLanes <= n; t += kLanes) {
    Lanes v;
    Load(v, x + t);
    const Ints8 in_range = (v >= -kTwoPow31) & (v < kTwoPow31);  // false for NaN
    const Ints8 whole = __builtin_convertvector(in_range ? v : Lanes{}, Ints8);
    bad |= ~in_range | (__builtin_convertvector(whole, Lanes) != v);
    hi = whole > hi ? whole : hi;
    lo = whole < lo ? whole : lo;
    *reinterpret_cast<Ints8*>(q + t) = whole;
  }
  int64_t largest = *max_magnitude;
  bool ok = true;
  for (size_t k = 0; k < kLanes; ++k) {
    ok &= bad[k] == 0;
    largest = std::max({largest, int64_t{hi[k]}, -int64_t{lo[k]}});
  }
  for (; t < n; ++t) {
    const float v = x[t];
    const bool in_range = v >= -kTwoPow31 && v < kTwoPow31;
    q[t] = in_range ? static_cast<int32_t>(v) : 0;
    ok &= in_range && static_cast<float>(q[t]) == v;
    largest = std::max(largest, q[t] < 0 ? -int64_t{q[t]} : int64_t{q[t]});
  }
  *max_magnitude = static_cast<int32_t>(std::min<int64_t>(largest, INT32_MAX));
  return ok;
}

// Writes min(zigzag residual, 255) of samples [2, n) of a lead at out[t]. REQUIRES: every sample
// of x, i and ii below kVectorLimit_uV in magnitude (the int32 arithmetic cannot overflow).
ECG_MULTIVERSION void SmallResidualBytes(const int32_t* x, size_t n, const Predictor& p,
                                         const int32_t* i, const int32_t* ii, uint8_t* out) {
  const Ints8 a = Ints8{} + p.a, b = Ints8{} + p.b;
  size_t t = 2;
  for (; t + kLanes <= n; t += kLanes) {
    const Ints8 cur = *reinterpret_cast<const Ints8*>(x + t);
    Ints8 r;
    if (p.from_limb_leads) {
      r = cur - ((a * *reinterpret_cast<const Ints8*>(i + t) +
                  b * *reinterpret_cast<const Ints8*>(ii + t)) >>
                 1);
    } else {
      r = cur - 2 * *reinterpret_cast<const Ints8*>(x + t - 1) +
          *reinterpret_cast<const Ints8*>(x + t - 2);
    }
    const Uints8 u = (Uints8(r) << 1) ^ Uints8(r >> 31);
    const Uints8 clamped = u < kEscape ? u : Uints8{} + kEscape;
    // The low byte of each lane (a shuffle: __builtin_convertvector goes lane by lane).
    const Bytes32 lanes = Bytes32(clamped);
    const Bytes8 bytes = __builtin_shufflevector(lanes, lanes, 0, 4, 8, 12, 16, 20, 24, 28);
    std::memcpy(out + t, &bytes, 8);
  }
  for (; t < n; ++t) {
    out[t] = static_cast<uint8_t>(std::min<uint64_t>(ZigZag(Residual(x, t, p, i, ii)), kEscape));
  }
}

// Writes lead x's residual bytes at out and appends its escapes.
void PutLead(const int32_t* x, size_t n, const Predictor& p, const WholeSamples& s, uint8_t* out,
             std::vector<uint64_t>* escapes) {
  const int32_t* i = s.lead[LeadIndex(Lead::kI)];
  const int32_t* ii = s.lead[LeadIndex(Lead::kII)];
  const bool small = s.max_magnitude < kVectorLimit_uV;
  if (small) SmallResidualBytes(x, n, p, i, ii, out);
  for (size_t t = 0; t < n; ++t) {
    if (small && t >= 2) {  // only the escapes are left: find them
      const void* next = std::memchr(out + t, kEscape, n - t);
      if (next == nullptr) break;
      t = static_cast<size_t>(static_cast<const uint8_t*>(next) - out);
    }
    const uint64_t u = ZigZag(Residual(x, t, p, i, ii));
    out[t] = static_cast<uint8_t>(std::min<uint64_t>(u, kEscape));
    if (u >= kEscape) escapes->push_back(u);
  }
}

[[noreturn]] void ThrowNotWhole(const EcgSignal& signal, Lead lead) {
  const float* x = signal.lead_uV(lead);
  size_t t = 0;
  int32_t whole, largest = 0;
  while (t < signal.samples_per_lead() && ConvertLead(x + t, 1, &whole, &largest)) ++t;
  throw Error::InvalidArgument("signal codec: lead " + std::string(LeadName(lead)) + " sample " +
                               std::to_string(t) + " is not a whole number of microvolts");
}

WholeSamples ToWholeSamples(const EcgSignal& signal) {
  const size_t n = signal.samples_per_lead();
  WholeSamples s;
  s.q = Uninitialised<int32_t>(kLeadCount * n);
  for (Lead lead : AllLeads()) {
    if (!signal.mask().present(lead)) continue;
    int32_t* q = s.q.get() + LeadIndex(lead) * n;
    if (!ConvertLead(signal.lead_uV(lead), n, q, &s.max_magnitude)) ThrowNotWhole(signal, lead);
    s.lead[LeadIndex(lead)] = q;
  }
  return s;
}

uint32_t ReadU32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Reads the varint at *pos, advancing it; Corruption when the residuals end inside it.
uint64_t ReadVarint(const Scratch<uint8_t>& residuals, size_t* pos, Lead lead) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    if (*pos >= residuals.size() || shift > 63) {
      throw Error::Corruption("signal codec: residuals end early in lead " +
                              std::string(LeadName(lead)));
    }
    const uint8_t byte = residuals[(*pos)++];
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return v;
  }
}

// Where the decoder takes a lead's zigzag residuals from: varints (ECZ1), or bytes and escapes.
class ResidualReader {
 public:
  ResidualReader(const Scratch<uint8_t>& raw, bool varints, size_t samples)
      : raw_(raw), varints_(varints), escape_pos_(samples) {
    if (!varints_ && raw_.size() < samples) {
      throw Error::Corruption("signal codec: fewer residual bytes than samples");
    }
  }

  uint64_t Next(Lead lead) {
    if (varints_) return ReadVarint(raw_, &pos_, lead);
    const uint8_t byte = raw_[pos_++];
    if (byte != kEscape) return byte;
    if (escape_pos_ + 8 > raw_.size()) {
      throw Error::Corruption("signal codec: escapes end early in lead " +
                              std::string(LeadName(lead)));
    }
    uint64_t v;
    std::memcpy(&v, raw_.data() + escape_pos_, 8);
    escape_pos_ += 8;
    return v;
  }

  // True when every byte was read (ECZ1) or every escape used (ECZ2).
  bool AtEnd() const { return (varints_ ? pos_ : escape_pos_) == raw_.size(); }

 private:
  const Scratch<uint8_t>& raw_;
  const bool varints_;
  size_t pos_ = 0;
  size_t escape_pos_;
};

Scratch<uint8_t> Decompress(const char* payload, size_t payload_bytes, uint64_t max_raw) {
  const unsigned long long raw_size = ZSTD_getFrameContentSize(payload, payload_bytes);
  if (raw_size == ZSTD_CONTENTSIZE_ERROR || raw_size == ZSTD_CONTENTSIZE_UNKNOWN ||
      raw_size > max_raw) {
    throw Error::Corruption("signal codec: bad zstd frame");
  }
  Scratch<uint8_t> raw(raw_size);
  const size_t got = ZSTD_decompress(raw.data(), raw.size(), payload, payload_bytes);
  if (ZSTD_isError(got) || got != raw_size) {
    throw Error::Corruption("signal codec: zstd frame does not decompress");
  }
  return raw;
}

}  // namespace

std::string EncodeSignal(const EcgSignal& signal, int zstd_level) {
  const size_t n = signal.samples_per_lead();
  const WholeSamples samples = ToWholeSamples(signal);
  const size_t bytes = signal.mask().CountPresent() * n;
  std::unique_ptr<uint8_t[]> residuals = Uninitialised<uint8_t>(bytes);
  std::vector<uint64_t> escapes;
  size_t at = 0;
  for (Lead lead : AllLeads()) {
    const int32_t* x = samples.lead[LeadIndex(lead)];
    if (x == nullptr) continue;
    PutLead(x, n, PredictorOf(lead, signal.mask()), samples, residuals.get() + at, &escapes);
    at += n;
  }
  if (!escapes.empty()) {
    std::unique_ptr<uint8_t[]> joined = Uninitialised<uint8_t>(bytes + 8 * escapes.size());
    std::memcpy(joined.get(), residuals.get(), bytes);
    std::memcpy(joined.get() + bytes, escapes.data(), 8 * escapes.size());
    residuals = std::move(joined);
  }
  const size_t size = bytes + 8 * escapes.size();

  std::string blob(kHeaderBytes, '\0');
  std::memcpy(blob.data(), kMagic, 4);
  const uint32_t header[3] = {static_cast<uint32_t>(std::lround(signal.sample_rate_hz())),
                              static_cast<uint32_t>(n), signal.mask().Pack()};
  std::memcpy(blob.data() + 4, header, sizeof(header));
  const size_t bound = ZSTD_compressBound(size);
  blob.resize(kHeaderBytes + bound);
  const size_t written =
      ZSTD_compress(blob.data() + kHeaderBytes, bound, residuals.get(), size, zstd_level);
  if (ZSTD_isError(written)) {
    throw Error::InvalidArgument(std::string("signal codec: zstd: ") + ZSTD_getErrorName(written));
  }
  blob.resize(kHeaderBytes + written);
  return blob;
}

EcgSignal DecodeSignal(const std::string& blob) {
  if (blob.size() < kHeaderBytes) throw Error::Corruption("signal codec: blob too short");
  const bool varints = std::memcmp(blob.data(), kMagicVarints, 4) == 0;
  if (!varints && std::memcmp(blob.data(), kMagic, 4) != 0) {
    throw Error::Corruption("signal codec: bad magic");
  }
  const uint32_t rate_hz = ReadU32(blob.data() + 4);
  const uint32_t n = ReadU32(blob.data() + 8);
  const LeadMask mask = LeadMask::Unpack(ReadU32(blob.data() + 12));
  if (rate_hz == 0 || static_cast<uint64_t>(n) * kLeadCount > kMaxSamples) {
    throw Error::Corruption("signal codec: implausible geometry " + std::to_string(rate_hz) +
                            " Hz x " + std::to_string(n) + " samples");
  }
  const size_t samples = mask.CountPresent() * static_cast<size_t>(n);
  // At most 10 bytes per sample: a varint of 64 bits, or an escape byte and its 8 bytes.
  const Scratch<uint8_t> raw =
      Decompress(blob.data() + kHeaderBytes, blob.size() - kHeaderBytes, uint64_t{n} * 12 * 10);
  ResidualReader reader(raw, varints, samples);

  EcgSignal signal(rate_hz, n);
  signal.mutable_mask() = mask;
  // Unsigned arithmetic throughout: a damaged blob wraps around instead of overflowing.
  Scratch<uint64_t> limb(2 * static_cast<size_t>(n));  // leads I and II, for the predictions
  for (Lead lead : AllLeads()) {
    if (!mask.present(lead)) continue;
    float* x = signal.lead_uV(lead);
    const Predictor p = varints ? Predictor{} : PredictorOf(lead, mask);
    uint64_t* kept = LeadIndex(lead) < 2 ? limb.data() + LeadIndex(lead) * n : nullptr;
    uint64_t prev1 = 0, prev2 = 0;
    for (size_t t = 0; t < n; ++t) {
      const uint64_t residual = static_cast<uint64_t>(UnZigZag(reader.Next(lead)));
      uint64_t cur;
      if (p.from_limb_leads) {
        const uint64_t weighted = static_cast<uint64_t>(int64_t{p.a}) * limb[t] +
                                  static_cast<uint64_t>(int64_t{p.b}) * limb[n + t];
        cur = residual + static_cast<uint64_t>(static_cast<int64_t>(weighted) >> 1);
      } else {
        cur = residual + 2 * prev1 - prev2;
      }
      if (kept != nullptr) kept[t] = cur;
      x[t] = static_cast<float>(static_cast<int64_t>(cur));
      prev2 = prev1;
      prev1 = cur;
    }
  }
  if (!reader.AtEnd()) throw Error::Corruption("signal codec: residuals left over");
  return signal;
}

}  // namespace ecg
