#include "storage/signal_codec.h"

#include <zstd.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "waveform/error.h"
#include "waveform/sample_buffer.h"

namespace ecg {

namespace {

constexpr char kMagic[4] = {'E', 'C', 'Z', '1'};
constexpr size_t kHeaderBytes = 16;
// A 10 s, 12-lead, 1 kHz signal is 120,000 samples; the cap refuses absurd headers before
// allocating.
constexpr uint64_t kMaxSamples = 12ull * 1000 * 60 * 60 * 2;  // two hours at 1 kHz, 12 leads

// Writes v at out, returns the end. Most residuals are under 64 µV: one byte.
uint8_t* PutVarint(uint8_t* out, uint64_t v) {
  while (v >= 0x80) {
    *out++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *out++ = static_cast<uint8_t>(v);
  return out;
}

// Samples are floats holding whole µV within int32: a cast and back tests both, without a call
// to std::round per sample. False for a fraction, an overflow or a NaN.
bool WholeMicrovolts(float v, int64_t* out) {
  constexpr float kTwoPow31 = 2147483648.0f;
  if (!(v >= -kTwoPow31 && v < kTwoPow31)) return false;
  *out = static_cast<int64_t>(v);
  return static_cast<float>(*out) == v;
}

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

uint32_t ReadU32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace

std::string EncodeSignal(const EcgSignal& signal, int zstd_level) {
  const size_t n = signal.samples_per_lead();
  // A second difference of int32 values needs at most 34 bits: 5 varint bytes.
  std::vector<uint8_t, DefaultInitAllocator<uint8_t>> residuals(kLeadCount * n * 5);
  uint8_t* end = residuals.data();
  for (Lead lead : AllLeads()) {
    if (!signal.mask().present(lead)) continue;
    const float* x = signal.lead_uV(lead);
    int64_t prev1 = 0, prev2 = 0;
    for (size_t t = 0; t < n; ++t) {
      int64_t cur;
      if (!WholeMicrovolts(x[t], &cur)) {
        throw Error::InvalidArgument("signal codec: lead " + std::string(LeadName(lead)) +
                                     " sample " + std::to_string(t) +
                                     " is not a whole number of microvolts");
      }
      end = PutVarint(end, ZigZag(cur - 2 * prev1 + prev2));
      prev2 = prev1;
      prev1 = cur;
    }
  }
  residuals.resize(static_cast<size_t>(end - residuals.data()));
  std::string blob(kHeaderBytes, '\0');
  std::memcpy(blob.data(), kMagic, 4);
  const uint32_t header[3] = {static_cast<uint32_t>(std::lround(signal.sample_rate_hz())),
                              static_cast<uint32_t>(n), signal.mask().Pack()};
  std::memcpy(blob.data() + 4, header, sizeof(header));
  const size_t bound = ZSTD_compressBound(residuals.size());
  blob.resize(kHeaderBytes + bound);
  const size_t written = ZSTD_compress(blob.data() + kHeaderBytes, bound, residuals.data(),
                                       residuals.size(), zstd_level);
  if (ZSTD_isError(written)) {
    throw Error::InvalidArgument(std::string("signal codec: zstd: ") + ZSTD_getErrorName(written));
  }
  blob.resize(kHeaderBytes + written);
  return blob;
}

EcgSignal DecodeSignal(const std::string& blob) {
  if (blob.size() < kHeaderBytes || std::memcmp(blob.data(), kMagic, 4) != 0) {
    throw Error::Corruption("signal codec: blob too short or bad magic");
  }
  const uint32_t rate_hz = ReadU32(blob.data() + 4);
  const uint32_t n = ReadU32(blob.data() + 8);
  const LeadMask mask = LeadMask::Unpack(ReadU32(blob.data() + 12));
  if (rate_hz == 0 || static_cast<uint64_t>(n) * kLeadCount > kMaxSamples) {
    throw Error::Corruption("signal codec: implausible geometry " + std::to_string(rate_hz) +
                            " Hz x " + std::to_string(n) + " samples");
  }
  const char* payload = blob.data() + kHeaderBytes;
  const size_t payload_bytes = blob.size() - kHeaderBytes;
  const unsigned long long raw_size = ZSTD_getFrameContentSize(payload, payload_bytes);
  const uint64_t max_raw = static_cast<uint64_t>(n) * kLeadCount * 10;  // varint: at most 10 B
  if (raw_size == ZSTD_CONTENTSIZE_ERROR || raw_size == ZSTD_CONTENTSIZE_UNKNOWN ||
      raw_size > max_raw) {
    throw Error::Corruption("signal codec: bad zstd frame");
  }
  std::vector<uint8_t> residuals(raw_size);
  const size_t got = ZSTD_decompress(residuals.data(), residuals.size(), payload, payload_bytes);
  if (ZSTD_isError(got) || got != raw_size) {
    throw Error::Corruption("signal codec: zstd frame does not decompress");
  }
  EcgSignal signal(rate_hz, n);
  signal.mutable_mask() = mask;
  size_t pos = 0;
  for (Lead lead : AllLeads()) {
    if (!mask.present(lead)) continue;
    float* x = signal.lead_uV(lead);
    int64_t prev1 = 0, prev2 = 0;
    for (size_t t = 0; t < n; ++t) {
      uint64_t v = 0;
      for (int shift = 0;; shift += 7) {
        if (pos >= residuals.size() || shift > 63) {
          throw Error::Corruption("signal codec: residuals end early in lead " +
                                  std::string(LeadName(lead)));
        }
        const uint8_t byte = residuals[pos++];
        v |= static_cast<uint64_t>(byte & 0x7f) << shift;
        if (!(byte & 0x80)) break;
      }
      const int64_t cur = UnZigZag(v) + 2 * prev1 - prev2;
      x[t] = static_cast<float>(cur);
      prev2 = prev1;
      prev1 = cur;
    }
  }
  return signal;
}

}  // namespace ecg
