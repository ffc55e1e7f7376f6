// WriteWfdb(signal, dir, name): a test's EcgSignal as the WFDB record DIR/NAME, the way PhysioNet
// archives store 12-lead ECGs: NAME.hea and one format 16 NAME.dat with the 12 leads interleaved,
// 1 adu = 1 uV (gain 1000/mV), zero baseline. Creates DIR. Values outside int16 wrap: keep test
// signals within +-32 mV. Header-only, for tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "waveform/ecg_signal.h"
#include "waveform/lead.h"

namespace ecg::testing {

inline void WriteWfdb(const EcgSignal& signal, const std::string& dir, const std::string& name) {
  std::filesystem::create_directories(dir);
  std::ofstream header(dir + "/" + name + ".hea");
  header << name << " 12 " << signal.sample_rate_hz() << " " << signal.samples_per_lead() << "\n";
  for (Lead lead : AllLeads())
    header << name << ".dat 16 1000/mV 16 0 0 0 0 " << LeadName(lead) << "\n";
  std::ofstream dat(dir + "/" + name + ".dat", std::ios::binary);
  for (size_t t = 0; t < signal.samples_per_lead(); ++t) {
    for (Lead lead : AllLeads()) {
      const auto v = static_cast<int16_t>(signal.lead_uV(lead)[t]);
      const char bytes[2] = {static_cast<char>(v & 0xFF), static_cast<char>((v >> 8) & 0xFF)};
      dat.write(bytes, 2);
    }
  }
}

}  // namespace ecg::testing
