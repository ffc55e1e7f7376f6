// Measuring (waveform/ecg_measure.h: R peaks, median beat, delineation, axes, rhythm) of 10 s
// 12-lead 500 Hz synthetic ECGs (waveform/synth.h, typical noise), single thread, beside DICOM
// decode + canonicalisation of the same ECGs in the same run, so the two costs can be compared
// on one machine state. Reports CPU ms per ECG (this thread's CPU time, so other work on a
// shared machine does not count against it; cache contention still does). Target: measuring
// <= 2 ms per ECG.
#include <malloc.h>
#include <time.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "report.h"
#include "tests/waveform/dicom/dicom_fixtures.h"
#include "waveform/canonical.h"
#include "waveform/dicom/decoder.h"
#include "waveform/ecg_measure.h"
#include "waveform/synth.h"

namespace {

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

// CPU ms per item of `work` over the items, cycling for about `seconds`.
template <typename Item, typename Work>
double MsPerItem(const std::vector<Item>& items, double seconds, Work work) {
  size_t done = 0;
  double checksum = 0;
  const double start = ThreadCpuSeconds();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (const Item& item : items) {
      checksum += work(item);
      ++done;
    }
    elapsed = ThreadCpuSeconds() - start;
  }
  if (checksum == 0.123) std::puts("");  // keep the work observable
  return 1000.0 * elapsed / done;
}

}  // namespace

int main(int argc, char** argv) {
  ecg::bench::Init(argc, argv);
  const bool quick = ecg::bench::QuickMode();
  const double seconds = quick ? 0.2 : 3.0;
  ecg::SynthOptions options;
  options.patients = quick ? 4 : 16;
  options.ecgs_per_patient = 1;
  options.seed = 3;
  std::vector<ecg::EcgSignal> signals;
  std::vector<std::vector<uint8_t>> buffers;
  for (const ecg::SyntheticEcg& e : ecg::SynthesiseCohort(options)) {
    signals.push_back(e.signal);
    buffers.push_back(ecg::dicom::testing::EncodeSignal(e.signal));
  }
  const double decode_ms = MsPerItem(buffers, seconds, [](const std::vector<uint8_t>& b) {
    const ecg::EcgSignal s = ecg::Canonicalise(ecg::dicom::DecodeEcg(b.data(), b.size()).rhythm);
    return static_cast<double>(s.data_uV()[0]);
  });
  const double measure_ms = MsPerItem(signals, seconds, [](const ecg::EcgSignal& s) {
    return ecg::MeasureEcg(s).qrs_ms.value_or(0.0);
  });
  // The plugin measures in its own threads (ingest workers, the background measurer): a thread
  // other than main allocates from another malloc arena, which returns memory differently.
  auto in_a_thread = [&] {
    double ms = 0;
    std::thread worker([&] {
      ms = MsPerItem(signals, seconds, [](const ecg::EcgSignal& s) {
        return ecg::MeasureEcg(s).qrs_ms.value_or(0.0);
      });
    });
    worker.join();
    return ms;
  };
  const double thread_default_ms = in_a_thread();
  // glibc trims a thread arena's free top above 128 KB by default: measuring allocates and frees
  // 1-4 MB per ECG, which then page-faults back in on every ECG. With a 16 MB trim threshold (and
  // a 4 MB mmap threshold, as setting one switches off the dynamic other) it stays. Process-wide,
  // so measured last. Not applied in the plugin: there its threads' CPU per ECG was the same with
  // it (one ingest_bench run, docs/benchmarks.md).
  const bool tuned =
      mallopt(M_MMAP_THRESHOLD, 4 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 16 << 20) == 1;
  const double thread_tuned_ms = in_a_thread();
  ecg::bench::Report("dicom decode+canonicalise, 10 s 12-lead 500 Hz (same run)", decode_ms,
                     "ms/ECG");
  ecg::bench::Report("measure (intervals, axes, rhythm), 10 s 12-lead 500 Hz", measure_ms, "ms/ECG",
                     "<= 2 ms");
  ecg::bench::Report("measure, same, in a thread other than main, glibc's default malloc",
                     thread_default_ms, "ms/ECG");
  ecg::bench::Report(std::string("measure, same, in a thread, malloc trim threshold 16 MB") +
                         (tuned ? "" : " (mallopt refused)"),
                     thread_tuned_ms, "ms/ECG");
  return 0;
}
