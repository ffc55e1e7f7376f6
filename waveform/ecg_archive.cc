#include "waveform/ecg_archive.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <vector>

#include "waveform/error.h"
#include "waveform/measurements.h"

namespace ecg {

namespace {

constexpr char kMagic[8] = {'E', 'C', 'G', 'A', 'R', 'C', 'H', '1'};
constexpr uint32_t kVersionWithoutRPeaks = 1;
constexpr uint32_t kVersionWithRPeaks = 2;
constexpr size_t kHeaderBytes = 32;
constexpr size_t kRecordHeaderBytes = 8 + 8 + 8 + 4 + 4;

// The format is little-endian; so are all machines orthanc-ecg builds for (x86-64, aarch64).
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ecg archive assumes little-endian");

// Bytes of a record's R peak section: none in version 1 (capacity 0), else count and slots.
size_t RPeakBytes(uint32_t r_peak_capacity) {
  return r_peak_capacity == 0 ? 0 : sizeof(uint32_t) + sizeof(int32_t) * r_peak_capacity;
}

size_t RecordBytes(uint32_t samples_per_lead, uint32_t r_peak_capacity) {
  return kRecordHeaderBytes + RPeakBytes(r_peak_capacity) +
         sizeof(int16_t) * kLeadCount * samples_per_lead;
}

// Slots for every R peak DetectRPeaks can find in samples_per_lead samples: its candidates are
// more than the refractory period apart (each gives at most one peak), plus a margin.
uint32_t RPeakCapacity(uint32_t sample_rate_hz, uint32_t samples_per_lead) {
  const double refractory = std::max(1.0, RPeakOptions{}.refractory_ms * sample_rate_hz / 1000.0);
  return static_cast<uint32_t>(samples_per_lead / std::floor(refractory)) + 2;
}

Error IoError(const std::string& what, const std::string& path) {
  return Error::Unavailable("ECG archive " + path + ": " + what + ": " + std::strerror(errno));
}

template <typename T>
void Put(std::vector<char>* out, T value) {
  const char* p = reinterpret_cast<const char*>(&value);
  out->insert(out->end(), p, p + sizeof(T));
}

template <typename T>
T Get(const char* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

}  // namespace

EcgArchiveWriter::EcgArchiveWriter(const std::string& path, uint32_t sample_rate_hz,
                                   uint32_t samples_per_lead, ArchiveRPeaks r_peaks)
    : path_(path),
      file_(nullptr),
      sample_rate_hz_(sample_rate_hz),
      samples_per_lead_(samples_per_lead),
      r_peak_capacity_(0) {
  if (sample_rate_hz == 0 || samples_per_lead == 0) {
    throw Error::InvalidArgument("ECG archive " + path + ": rate and length must be positive");
  }
  if (r_peaks == ArchiveRPeaks::kStore) {
    r_peak_capacity_ = RPeakCapacity(sample_rate_hz, samples_per_lead);
  }
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) throw IoError("cannot create", path);
  std::vector<char> header(kMagic, kMagic + sizeof(kMagic));
  Put<uint32_t>(&header, r_peak_capacity_ > 0 ? kVersionWithRPeaks : kVersionWithoutRPeaks);
  Put<uint32_t>(&header, sample_rate_hz);
  Put<uint32_t>(&header, samples_per_lead);
  Put<uint32_t>(&header, r_peak_capacity_);
  Put<uint64_t>(&header, 0);
  if (std::fwrite(header.data(), 1, header.size(), file_) != header.size()) {
    throw IoError("cannot write header", path);
  }
}

EcgArchiveWriter::~EcgArchiveWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void EcgArchiveWriter::Append(const ArchiveKeys& keys, const EcgSignal& signal) {
  if (file_ == nullptr) throw Error::InvalidArgument("ECG archive " + path_ + ": already closed");
  if (std::lround(signal.sample_rate_hz()) != static_cast<long>(sample_rate_hz_)) {
    throw Error::InvalidArgument("ECG archive " + path_ + ": signal at " +
                                 std::to_string(signal.sample_rate_hz()) + " Hz, file at " +
                                 std::to_string(sample_rate_hz_) + " Hz");
  }
  const size_t valid = std::min<size_t>(signal.samples_per_lead(), samples_per_lead_);
  // The record as a reader gets it back: R peaks are detected on exactly that.
  EcgSignal stored(sample_rate_hz_, samples_per_lead_);
  stored.mutable_mask() = LeadMask::Unpack(signal.mask().Pack());
  for (Lead lead : AllLeads()) {
    const float* in = signal.lead_uV(lead);
    float* out = stored.lead_uV(lead);
    for (size_t t = 0; t < valid; ++t) out[t] = std::clamp(std::round(in[t]), -32767.0f, 32767.0f);
  }
  std::vector<char> record;
  record.reserve(RecordBytes(samples_per_lead_, r_peak_capacity_));
  Put<int64_t>(&record, keys.ecg_key);
  Put<int64_t>(&record, keys.patient_key);
  Put<int64_t>(&record, keys.acquisition_time_ms);
  Put<uint32_t>(&record, stored.mask().Pack());
  Put<uint32_t>(&record, static_cast<uint32_t>(valid));
  if (r_peak_capacity_ > 0) {
    std::vector<size_t> peaks = DetectRPeaks(stored);
    const bool fits = peaks.size() <= r_peak_capacity_;
    Put<uint32_t>(&record, fits ? static_cast<uint32_t>(peaks.size()) : kNoStoredRPeaks);
    if (!fits) peaks.clear();
    for (uint32_t k = 0; k < r_peak_capacity_; ++k) {
      Put<int32_t>(&record, k < peaks.size() ? static_cast<int32_t>(peaks[k]) : -1);
    }
  }
  for (Lead lead : AllLeads()) {
    const float* in = stored.lead_uV(lead);
    for (size_t t = 0; t < samples_per_lead_; ++t)
      Put<int16_t>(&record, static_cast<int16_t>(in[t]));
  }
  if (std::fwrite(record.data(), 1, record.size(), file_) != record.size()) {
    throw IoError("cannot write record", path_);
  }
  ++records_;
}

void EcgArchiveWriter::Close() {
  if (file_ == nullptr) return;
  std::FILE* f = file_;
  file_ = nullptr;
  if (std::fclose(f) != 0) throw IoError("cannot close", path_);
}

EcgArchiveReader::EcgArchiveReader(const std::string& path) : path_(path), file_(nullptr) {
  file_ = std::fopen(path.c_str(), "rb");
  if (file_ == nullptr) throw IoError("cannot open", path);
  char header[kHeaderBytes];
  if (std::fread(header, 1, kHeaderBytes, file_) != kHeaderBytes ||
      std::memcmp(header, kMagic, sizeof(kMagic)) != 0) {
    std::fclose(file_);
    file_ = nullptr;
    throw Error::Corruption("ECG archive " + path + ": not an ECG archive (bad header)");
  }
  version_ = Get<uint32_t>(header + 8);
  sample_rate_hz_ = Get<uint32_t>(header + 12);
  samples_per_lead_ = Get<uint32_t>(header + 16);
  r_peak_capacity_ = version_ == kVersionWithRPeaks ? Get<uint32_t>(header + 20) : 0;
  const bool known = version_ == kVersionWithoutRPeaks ||
                     (version_ == kVersionWithRPeaks && r_peak_capacity_ > 0 &&
                      r_peak_capacity_ <= samples_per_lead_ + 2);  // RPeakCapacity's most
  if (!known || sample_rate_hz_ == 0 || samples_per_lead_ == 0) {
    std::fclose(file_);
    file_ = nullptr;
    throw Error::Corruption("ECG archive " + path + ": unsupported version " +
                            std::to_string(version_) + ", empty geometry or bad R peak capacity");
  }
  std::fseek(file_, 0, SEEK_END);
  const long end = std::ftell(file_);
  const uint64_t body = static_cast<uint64_t>(end) - kHeaderBytes;
  const size_t record_bytes = RecordBytes(samples_per_lead_, r_peak_capacity_);
  if (body % record_bytes != 0) {
    std::fclose(file_);
    file_ = nullptr;
    throw Error::Corruption("ECG archive " + path + ": truncated last record");
  }
  count_ = body / record_bytes;
}

EcgArchiveReader::~EcgArchiveReader() {
  if (file_ != nullptr) std::fclose(file_);
}

ArchiveKeys EcgArchiveReader::ReadKeys(uint64_t index) {
  if (index >= count_) throw Error::InvalidArgument("ECG archive " + path_ + ": index past end");
  char head[kRecordHeaderBytes];
  const uint64_t offset = kHeaderBytes + index * RecordBytes(samples_per_lead_, r_peak_capacity_);
  if (std::fseek(file_, static_cast<long>(offset), SEEK_SET) != 0 ||
      std::fread(head, 1, sizeof(head), file_) != sizeof(head)) {
    throw IoError("cannot read record " + std::to_string(index), path_);
  }
  return ArchiveKeys{Get<int64_t>(head), Get<int64_t>(head + 8), Get<int64_t>(head + 16)};
}

std::optional<std::vector<size_t>> EcgArchiveReader::ReadRPeaks(const char* p,
                                                                uint64_t index) const {
  const uint32_t count = Get<uint32_t>(p);
  if (count == kNoStoredRPeaks) return std::nullopt;
  const std::string where = "ECG archive " + path_ + ", record " + std::to_string(index);
  if (count > r_peak_capacity_) {
    throw Error::Corruption(where + ": " + std::to_string(count) + " R peaks, room for " +
                            std::to_string(r_peak_capacity_));
  }
  std::vector<size_t> peaks(count);
  for (uint32_t k = 0; k < count; ++k) {
    const int32_t at = Get<int32_t>(p + sizeof(uint32_t) + sizeof(int32_t) * k);
    if (at < 0 || static_cast<uint32_t>(at) >= samples_per_lead_ ||
        (k > 0 && static_cast<size_t>(at) <= peaks[k - 1])) {
      throw Error::Corruption(where + ": R peak " + std::to_string(k) + " at sample " +
                              std::to_string(at) + " is out of range [0, " +
                              std::to_string(samples_per_lead_) + ") or not after the one before");
    }
    peaks[k] = static_cast<size_t>(at);
  }
  return peaks;
}

ArchiveRecord EcgArchiveReader::Read(uint64_t index) {
  if (index >= count_) throw Error::InvalidArgument("ECG archive " + path_ + ": index past end");
  std::vector<char> buffer(RecordBytes(samples_per_lead_, r_peak_capacity_));
  const uint64_t offset = kHeaderBytes + index * buffer.size();
  if (std::fseek(file_, static_cast<long>(offset), SEEK_SET) != 0 ||
      std::fread(buffer.data(), 1, buffer.size(), file_) != buffer.size()) {
    throw IoError("cannot read record " + std::to_string(index), path_);
  }
  const char* p = buffer.data();
  ArchiveRecord record{ArchiveKeys{Get<int64_t>(p), Get<int64_t>(p + 8), Get<int64_t>(p + 16)},
                       std::min<size_t>(Get<uint32_t>(p + 28), samples_per_lead_),
                       EcgSignal(sample_rate_hz_, samples_per_lead_), std::nullopt};
  record.signal.mutable_mask() = LeadMask::Unpack(Get<uint32_t>(p + 24));
  if (r_peak_capacity_ > 0) record.r_peaks = ReadRPeaks(p + kRecordHeaderBytes, index);
  const char* samples = p + kRecordHeaderBytes + RPeakBytes(r_peak_capacity_);
  float* out = record.signal.mutable_data_uV().data();
  for (size_t i = 0; i < kLeadCount * samples_per_lead_; ++i) {
    out[i] = static_cast<float>(Get<int16_t>(samples + 2 * i));
  }
  return record;
}

}  // namespace ecg
