#include "waveform/signal_i16.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "waveform/error.h"

namespace ecg {
namespace {

constexpr char kMagic[8] = {'E', 'C', 'G', 'I', '1', '6', '\0', '\1'};

void PutU32(std::string* out, size_t offset, uint32_t value) {
  for (int i = 0; i < 4; ++i) (*out)[offset + i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

uint32_t GetU32(const std::string& in, size_t offset) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= uint32_t(static_cast<uint8_t>(in[offset + i])) << (8 * i);
  return value;
}

}  // namespace

uint32_t SignalI16ScaleUv(const EcgSignal& signal) {
  double largest = 0;
  const SampleBuffer& data = signal.data_uV();
  for (size_t i = 0; i < data.size(); ++i) {
    if (std::isfinite(data[i])) largest = std::max(largest, std::fabs(double(data[i])));
  }
  if (largest <= 32767.0) return 1;
  return static_cast<uint32_t>(std::ceil(largest / 32767.0));
}

std::string EncodeSignalI16(const EcgSignal& signal) {
  const size_t n = signal.samples_per_lead();
  const uint32_t scale = SignalI16ScaleUv(signal);
  std::string out(kSignalI16HeaderBytes + 2 * kLeadCount * n, '\0');
  std::memcpy(out.data(), kMagic, sizeof(kMagic));
  PutU32(&out, 8, static_cast<uint32_t>(std::lround(signal.sample_rate_hz() * 1000.0)));
  PutU32(&out, 12, static_cast<uint32_t>(n));
  PutU32(&out, 16, scale);
  char* p = out.data() + kSignalI16HeaderBytes;
  for (Lead lead : AllLeads()) {
    out[20 + LeadIndex(lead)] = static_cast<char>(signal.status(lead));
    const float* samples = signal.lead_uV(lead);
    for (size_t t = 0; t < n; ++t) {
      const float value = samples[t];
      const long units = std::isfinite(value) ? std::lround(double(value) / scale) : 0;
      const uint16_t bits = static_cast<uint16_t>(static_cast<int16_t>(units));
      *p++ = static_cast<char>(bits & 0xff);
      *p++ = static_cast<char>(bits >> 8);
    }
  }
  return out;
}

EcgSignal DecodeSignalI16(const std::string& bytes) {
  if (bytes.size() < kSignalI16HeaderBytes || std::memcmp(bytes.data(), kMagic, 7) != 0) {
    throw Error::Corruption("not an ECGI16 signal: bad magic or shorter than its header");
  }
  if (bytes[7] != kMagic[7]) {
    throw Error::Corruption("ECGI16 version " + std::to_string(int(uint8_t(bytes[7]))) +
                            " is not supported (1 is)");
  }
  const uint32_t rate_mhz = GetU32(bytes, 8);
  const size_t n = GetU32(bytes, 12);
  const uint32_t scale = GetU32(bytes, 16);
  if (rate_mhz == 0 || scale == 0) throw Error::Corruption("ECGI16 rate or scale is zero");
  if (bytes.size() != kSignalI16HeaderBytes + 2 * kLeadCount * n) {
    throw Error::Corruption("ECGI16 size " + std::to_string(bytes.size()) + " does not match " +
                            std::to_string(n) + " samples per lead");
  }
  EcgSignal signal(rate_mhz / 1000.0, n);
  const uint8_t* p = reinterpret_cast<const uint8_t*>(bytes.data()) + kSignalI16HeaderBytes;
  for (Lead lead : AllLeads()) {
    const uint8_t status = static_cast<uint8_t>(bytes[20 + LeadIndex(lead)]);
    signal.set_status(lead, status <= 2 ? static_cast<LeadStatus>(status) : LeadStatus::kMissing);
    float* samples = signal.lead_uV(lead);
    for (size_t t = 0; t < n; ++t, p += 2) {
      const int16_t units = static_cast<int16_t>(uint16_t(p[0]) | (uint16_t(p[1]) << 8));
      samples[t] = static_cast<float>(units) * static_cast<float>(scale);
    }
  }
  return signal;
}

}  // namespace ecg
