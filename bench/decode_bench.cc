// Decode plus canonicalisation of 10 s 12-lead DICOM ECGs from memory, single thread.
// Buffers are made with the encoder (16-bit, 12 leads) at 500 Hz (canonicalisation is a copy
// and rounding) and at 1000 Hz (it resamples to 500 Hz). Reports ECGs per second per core and
// input MB/s for each rate, and decode alone (without canonicalisation) at both rates. Target: >=
// 5,000 ECG/s per core. Rates are per second of this thread's CPU time, so that other work on a
// shared machine does not count against them (cache and memory-bandwidth contention still does).
#include <time.h>

#include <cstdio>
#include <string>
#include <vector>

#include "report.h"
#include "tests/waveform/dicom/dicom_fixtures.h"
#include "waveform/canonical.h"
#include "waveform/dicom/decoder.h"

namespace {

constexpr int kDistinctBuffers = 16;

std::vector<std::vector<uint8_t>> MakeBuffers(double rate_hz) {
  std::vector<std::vector<uint8_t>> buffers;
  for (int i = 0; i < kDistinctBuffers; ++i) {
    buffers.push_back(ecg::dicom::testing::EncodeSignal(
        ecg::dicom::testing::MakeSignal(rate_hz, 10, static_cast<uint32_t>(i + 1))));
  }
  return buffers;
}

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct Throughput {
  double ecgs_per_s;
  double mb_per_s;
};

// Runs for about `seconds` of CPU time, cycling through the buffers.
template <typename Work>
Throughput Measure(const std::vector<std::vector<uint8_t>>& buffers, double seconds, Work work) {
  size_t done = 0;
  double bytes = 0;
  double checksum = 0;
  const double start = ThreadCpuSeconds();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (const auto& buffer : buffers) {
      checksum += work(buffer);
      bytes += buffer.size();
      ++done;
    }
    elapsed = ThreadCpuSeconds() - start;
  }
  if (checksum == 0.123) std::puts("");  // keep the work observable
  return {done / elapsed, bytes / elapsed / 1e6};
}

double DecodeOnly(const std::vector<uint8_t>& buffer) {
  const ecg::EcgRecord record = ecg::dicom::DecodeEcg(buffer.data(), buffer.size());
  return record.rhythm.channels[0].samples_uV[0];
}

double DecodeAndCanonicalise(const std::vector<uint8_t>& buffer) {
  const ecg::EcgRecord record = ecg::dicom::DecodeEcg(buffer.data(), buffer.size());
  const ecg::EcgSignal signal = ecg::Canonicalise(record.rhythm);
  return signal.data_uV()[signal.samples_per_lead()];
}

void ReportRate(const char* what, const Throughput& t, const char* target) {
  ecg::bench::Report(std::string(what), t.ecgs_per_s, "ECG/s/core", target);
  ecg::bench::Report(std::string(what) + " (input)", t.mb_per_s, "MB/s");
}

}  // namespace

int main(int argc, char** argv) {
  ecg::bench::Init(argc, argv);
  const double seconds = ecg::bench::QuickMode() ? 0.3 : 3.0;
  const auto at_500 = MakeBuffers(500);
  const auto at_1000 = MakeBuffers(1000);
  ReportRate("dicom decode, 10 s 12-lead 500 Hz", Measure(at_500, seconds, DecodeOnly), "");
  ReportRate("dicom decode+canonicalise, 10 s 12-lead 500 Hz",
             Measure(at_500, seconds, DecodeAndCanonicalise), ">= 5000");
  ReportRate("dicom decode, 10 s 12-lead 1000 Hz", Measure(at_1000, seconds, DecodeOnly), "");
  ReportRate("dicom decode+canonicalise, 10 s 12-lead 1000 Hz",
             Measure(at_1000, seconds, DecodeAndCanonicalise), ">= 5000");
  return 0;
}
