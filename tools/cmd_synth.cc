// orthanc-ecg synth --patients N --per-patient M --seed S [--out DIR] [--archive FILE]
//                   [--rate HZ] [--duration S] [--drifting F] [--noise X]
//
// Synthetic 12-lead ECGs (waveform/synth.h) written as DICOM files, DIR/<PatientID>_v<visit>.dcm
// (e.g. SYNTH-000003_v001.dcm), and/or appended to an EcgArchive training file
// (waveform/ecg_archive.h) with patient_key = patient index and ecg_key = running index (0, 1,
// ... in the order written: patient by patient, visits in time order). One patient is held in
// memory at a time. The trainer-only build (ORTHANC_ECG_LEARNING_ONLY) has no DICOM writer:
// there only --archive is available.
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "tools/command.h"
#include "waveform/ecg_archive.h"
#include "waveform/error.h"
#include "waveform/synth.h"
#ifndef ORTHANC_ECG_LEARNING_ONLY
#include "waveform/dicom/encoder.h"
#endif

namespace ecg::tools {
namespace {

struct SynthCommandOptions {
  SynthOptions synth;
  std::string out_dir;       // DICOM files; empty: none
  std::string archive_path;  // EcgArchive; empty: none
};

std::string FileName(const SyntheticEcg& ecg) {
  char name[64];
  std::snprintf(name, sizeof(name), "%s_v%03zu.dcm", ecg.metadata.patient_id.c_str(),
                ecg.visit_index);
  return name;
}

std::unique_ptr<EcgArchiveWriter> OpenArchive(const SynthCommandOptions& o) {
  if (o.archive_path.empty()) return nullptr;
  const double rate = o.synth.sample_rate_hz;
  if (rate != std::floor(rate) || rate > 1e6) {
    throw Error::InvalidArgument("synth --archive needs a whole-number rate in Hz, got " +
                                 std::to_string(rate));
  }
  const auto samples = std::llround(o.synth.duration_s * rate);
  return std::make_unique<EcgArchiveWriter>(o.archive_path, static_cast<uint32_t>(rate),
                                            static_cast<uint32_t>(samples));
}

void Run(const SynthCommandOptions& o) {
  if (o.out_dir.empty() && o.archive_path.empty()) {
    throw Error::InvalidArgument("synth: give --out DIR, --archive FILE or both");
  }
#ifdef ORTHANC_ECG_LEARNING_ONLY
  if (!o.out_dir.empty()) {
    throw Error::Unsupported("synth --out: this trainer-only build writes no DICOM; use --archive");
  }
#endif
  if (!o.out_dir.empty()) std::filesystem::create_directories(o.out_dir);
  auto archive = OpenArchive(o);
  int64_t written = 0;
  for (size_t patient = 0; patient < o.synth.patients; ++patient) {
    for (const SyntheticEcg& ecg : SynthesisePatient(o.synth, patient)) {
#ifndef ORTHANC_ECG_LEARNING_ONLY
      if (!o.out_dir.empty()) {
        dicom::WriteEcgFile(o.out_dir + "/" + FileName(ecg), ecg.metadata, ecg.signal);
      }
#endif
      if (archive) {
        ArchiveKeys keys;
        keys.ecg_key = written;
        keys.patient_key = static_cast<int64_t>(patient);
        keys.acquisition_time_ms = ecg.metadata.acquisition_time_ms.value_or(kUnknownTime);
        archive->Append(keys, ecg.signal);
      }
      ++written;
    }
  }
  if (archive) archive->Close();
  std::cout << "synth: " << written << " ECGs of " << o.synth.patients << " patients"
            << (o.out_dir.empty() ? "" : " in " + o.out_dir)
            << (o.archive_path.empty() ? "" : ", archive " + o.archive_path) << "\n";
}

void Setup(CLI::App& app) {
  auto o = std::make_shared<SynthCommandOptions>();
  CLI::App* cmd = app.add_subcommand("synth", "Write synthetic 12-lead ECGs of synthetic patients");
  cmd->add_option("--patients", o->synth.patients, "number of patients")->required();
  cmd->add_option("--per-patient", o->synth.ecgs_per_patient, "ECGs (visits) per patient")
      ->required();
  cmd->add_option("--seed", o->synth.seed, "random seed: the same seed gives the same ECGs")
      ->required();
  cmd->add_option("--out", o->out_dir, "folder for the DICOM files");
  cmd->add_option("--archive", o->archive_path, "EcgArchive training file to write");
  cmd->add_option("--rate", o->synth.sample_rate_hz, "sample rate in Hz (default 500)");
  cmd->add_option("--duration", o->synth.duration_s, "seconds per ECG (default 10)");
  cmd->add_option("--drifting", o->synth.drifting_fraction,
                  "fraction of patients that change across visits (default 0.3)");
  cmd->add_option("--noise", o->synth.noise_scale, "noise scale, 0 = clean (default 1)");
  cmd->callback([o] { Run(*o); });
}

}  // namespace

ORTHANC_ECG_COMMAND("synth", Setup);

}  // namespace ecg::tools
