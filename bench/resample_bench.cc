// Canonicalisation of 10 s 12-lead waveform groups already in memory (no DICOM): resampling to
// 500 Hz from 1000, 250 and 100 Hz, and the 500 Hz copy-and-round path, in microseconds per ECG
// on one thread; plus synthesis of 10 s 12-lead ECGs per second. Inputs are synthetic ECGs
// (waveform/synth.h) generated at each source rate. Target for canonicalisation: well under
// 150 us per ECG (the decode+canonicalise budget is 200 us per ECG, bench/decode_bench.cc).
#include <string>
#include <vector>

#include "report.h"
#include "waveform/canonical.h"
#include "waveform/synth.h"

namespace {

ecg::WaveformGroup GroupOf(const ecg::EcgSignal& signal) {
  ecg::WaveformGroup group;
  group.label = "RHYTHM";
  group.sample_rate_hz = signal.sample_rate_hz();
  group.samples_per_channel = signal.samples_per_lead();
  for (ecg::Lead lead : ecg::AllLeads()) {
    ecg::Channel channel;
    channel.lead = lead;
    const float* x = signal.lead_uV(lead);
    channel.samples_uV.assign(x, x + signal.samples_per_lead());
    group.channels.push_back(std::move(channel));
  }
  return group;
}

double MicrosecondsPerEcg(const std::vector<ecg::WaveformGroup>& groups, double seconds) {
  size_t done = 0;
  double checksum = 0;
  const double start = ecg::bench::NowSeconds();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (const auto& group : groups) {
      checksum += ecg::Canonicalise(group).data_uV()[100];
      ++done;
    }
    elapsed = ecg::bench::NowSeconds() - start;
  }
  if (checksum == 0.123) std::puts("");  // keep the work observable
  return 1e6 * elapsed / done;
}

}  // namespace

int main(int argc, char** argv) {
  ecg::bench::Init(argc, argv);
  const double seconds = ecg::bench::QuickMode() ? 0.2 : 3.0;
  for (double rate : {1000.0, 250.0, 100.0, 500.0}) {
    ecg::SynthOptions options;
    options.patients = 4;
    options.ecgs_per_patient = 2;
    options.sample_rate_hz = rate;
    std::vector<ecg::WaveformGroup> groups;
    for (const auto& ecg : ecg::SynthesiseCohort(options)) groups.push_back(GroupOf(ecg.signal));
    const std::string name =
        "canonicalise 10 s 12-lead, " + std::to_string(int(rate)) + " -> 500 Hz";
    ecg::bench::Report(name, MicrosecondsPerEcg(groups, seconds), "us/ECG", "< 150");
  }
  ecg::SynthOptions options;
  options.patients = ecg::bench::QuickMode() ? 2 : 20;
  options.ecgs_per_patient = 5;
  const double start = ecg::bench::NowSeconds();
  const size_t made = ecg::SynthesiseCohort(options).size();
  ecg::bench::Report("synthesise 10 s 12-lead 500 Hz ECGs",
                     made / (ecg::bench::NowSeconds() - start), "ECG/s", "");
  return 0;
}
