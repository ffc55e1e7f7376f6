// orthanc-ecg eval --model MODEL_DIR --data PATH [--metadata CSV] [--json] [--patients all|train|
//                   heldout] [--heldout-fraction F] [--split-seed N] [--no-probe]
//                   [--probe-l2 L]
//                   [--export-archive FILE]
//
// Evaluates a model (learning/evaluation.h) against a random encoder of the same shape, model zero
// (learning/model_zero.h) and the median-beat baseline, and prints one JSON object {"model",
// "random", "model_zero", "median_beat", "data"}; `--model zero` evaluates model zero alone
// ({"model_zero", "median_beat", "data"}).
// PATH is an EcgArchive file or a folder of them (*.ecgarch), a PTB-XL folder (holding
// ptbxl_database.csv: its 100 Hz WFDB records that are present), or a folder of DICOM ECGs
// (*.dcm, searched recursively). --metadata names a ptbxl_database.csv (scp_statements.csv beside
// it) for patients, dates and diagnostic superclasses when PATH is a folder of WFDB records.
// DICOM patients are keyed by a hash of PatientID (never printed); DICOM folders need the full
// build (the trainer-only build, ORTHANC_ECG_LEARNING_ONLY, reads archives and WFDB).
// --patients keeps the patients of one side of a patient-disjoint split (hash of the patient key
// and --split-seed; --heldout-fraction of them are "heldout"), so a model trained on the "train"
// side can be evaluated on held-out patients; terms joined by commas, each SIDE or SIDE@SEED,
// must all hold ("train,heldout@7": a development set inside the train half). --export-archive
// writes the selected ECGs as a training archive instead of evaluating (how PTB-XL or DICOM folders
// become training data).
#include <spdlog/spdlog.h>

#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>

#include "learning/dataset.h"
#include "learning/device.h"
#include "learning/evaluation.h"
#include "learning/model_dir.h"
#include "learning/model_zero.h"
#include "tools/command.h"
#include "waveform/canonical.h"
#include "waveform/random.h"
#ifndef ORTHANC_ECG_LEARNING_ONLY
#include "waveform/dicom/decoder.h"
#endif
#include "waveform/error.h"
#include "waveform/ptbxl.h"
#include "waveform/wfdb.h"

namespace ecg::tools {
namespace {

namespace fs = std::filesystem;
using learning::EvalEcg;

// One term of --patients (see ParsePatients).
struct SideTerm {
  std::string side;
  uint64_t seed;
};

struct EvalCommandOptions {
  std::string model;
  std::string data;
  std::string metadata;
  bool json = true;
  std::string patients = "all";
  double heldout_fraction = 0.5;
  uint64_t split_seed = 1;
  bool probe = true;
  double probe_l2 = learning::EvalOptions{}.probe_l2;
  std::string export_archive;
  int threads = 2;
  std::vector<SideTerm> sides;  // --patients parsed once by RunEval; empty: all patients
};

bool OnSide(int64_t patient_key, const std::string& side, uint64_t split_seed, double fraction) {
  const auto threshold = static_cast<uint64_t>(fraction * 18446744073709551615.0);
  // A seed of its own: the trainer's validation split and the probe split hash the same keys.
  const uint64_t seed = HashU64(split_seed ^ 0x6576616c73706c74ULL);
  const bool heldout = HashU64(static_cast<uint64_t>(patient_key) ^ seed) < threshold;
  return side == "heldout" ? heldout : !heldout;
}

// --patients: "all", or SIDE[@SEED] terms joined by commas, all of which must hold (SIDE: train
// or heldout; SEED: the split's seed, --split-seed when left out). "train,heldout@7" is the
// held-out side of a second split inside the train half: a development set that leaves the
// held-out half untouched.
std::vector<SideTerm> ParsePatients(const EvalCommandOptions& o) {
  std::vector<SideTerm> terms;
  if (o.patients == "all") return terms;
  std::stringstream in(o.patients);
  std::string item;
  while (std::getline(in, item, ',')) {
    SideTerm term{item, o.split_seed};
    const auto at = item.find('@');
    if (at != std::string::npos) {
      term.side = item.substr(0, at);
      try {
        term.seed = std::stoull(item.substr(at + 1));
      } catch (const std::exception&) {
        term.side.clear();
      }
    }
    if (term.side != "train" && term.side != "heldout") {
      throw Error::InvalidArgument("--patients: '" + item +
                                   "' is not all, train, heldout or SIDE@SEED");
    }
    terms.push_back(term);
  }
  if (terms.empty()) throw Error::InvalidArgument("--patients is empty");
  return terms;
}

bool Keep(int64_t patient_key, const EvalCommandOptions& o) {
  for (const SideTerm& t : o.sides) {
    if (!OnSide(patient_key, t.side, t.seed, o.heldout_fraction)) return false;
  }
  return true;
}

EvalEcg FromSignal(EcgSignal signal, int64_t patient_key, std::optional<int64_t> time_ms) {
  EvalEcg e;
  e.valid_samples = signal.samples_per_lead();
  e.signal = std::move(signal);
  e.patient_key = patient_key;
  e.acquisition_time_ms = time_ms.value_or(kUnknownTime);
  return e;
}

std::array<bool, 5> Superclasses(const PtbxlEcg& ecg) {
  std::array<bool, 5> out{};
  for (const std::string& c : ecg.superclasses) {
    for (size_t i = 0; i < learning::kSuperclasses.size(); ++i) {
      out[i] = out[i] || c == learning::kSuperclasses[i];
    }
  }
  return out;
}

std::vector<EvalEcg> LoadPtbxl(const std::string& folder, const std::string& metadata_csv,
                               const EvalCommandOptions& o) {
  const std::string meta_folder =
      metadata_csv.empty() ? folder : fs::path(metadata_csv).parent_path().string();
  const PtbxlDatabase db = PtbxlDatabase::Read(meta_folder);
  std::vector<EvalEcg> set;
  for (const PtbxlEcg& ecg : db.ecgs()) {
    const std::string record =
        (fs::path(folder) / PtbxlRecordName(ecg, PtbxlRate::kLow100Hz)).string();
    if (!fs::exists(record + ".hea") || !Keep(ecg.patient_id, o)) continue;
    EvalEcg e = FromSignal(Canonicalise(ReadWfdbRecord(record).group), ecg.patient_id,
                           ecg.recording_time_ms);
    e.superclasses = Superclasses(ecg);
    set.push_back(std::move(e));
  }
  return set;
}

std::vector<EvalEcg> LoadDicomFolder(const std::string& folder, const EvalCommandOptions& o) {
#ifdef ORTHANC_ECG_LEARNING_ONLY
  throw Error::Unsupported("'" + folder +
                           "': DICOM folders need the full build (this is the "
                           "trainer-only build); use archives or WFDB records");
#else
  std::vector<EvalEcg> set;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".dcm") continue;
    EcgRecord record = dicom::DecodeEcgFile(entry.path().string());
    const auto key =
        static_cast<int64_t>(std::hash<std::string>()(record.metadata.issuer_of_patient_id +
                                                      "\x1f" + record.metadata.patient_id) >>
                             1);
    if (!Keep(key, o)) continue;
    set.push_back(
        FromSignal(Canonicalise(record.rhythm), key, record.metadata.acquisition_time_ms));
  }
  return set;
#endif
}

bool HasArchives(const std::string& folder) {
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().extension() == ".ecgarch") return true;
  }
  return false;
}

std::vector<EvalEcg> LoadData(const EvalCommandOptions& o) {
  if (!fs::exists(o.data)) throw Error::NotFound("evaluation data '" + o.data + "' does not exist");
  std::vector<EvalEcg> set;
  if (fs::is_directory(o.data) &&
      (fs::exists(fs::path(o.data) / "ptbxl_database.csv") || !o.metadata.empty())) {
    set = LoadPtbxl(o.data, o.metadata, o);
  } else if (!fs::is_directory(o.data) || HasArchives(o.data)) {
    for (EvalEcg& e : learning::LoadEvalSet(learning::ListArchives(o.data))) {
      if (Keep(e.patient_key, o)) set.push_back(std::move(e));
    }
  } else {
    set = LoadDicomFolder(o.data, o);
  }
  if (set.empty()) throw Error::InvalidArgument("no ECG selected from '" + o.data + "'");
  return set;
}

void ExportArchive(const std::vector<EvalEcg>& set, const std::string& path) {
  const auto samples = static_cast<uint32_t>(kCanonicalRate_hz * 10);
  EcgArchiveWriter writer(path, static_cast<uint32_t>(kCanonicalRate_hz), samples);
  int64_t ecg_key = 1;
  for (const EvalEcg& e : set) {
    writer.Append({ecg_key++, e.patient_key, e.acquisition_time_ms}, e.signal);
  }
  writer.Close();
  spdlog::info("wrote {} ECGs to {}", set.size(), path);
}

void RunEval(const EvalCommandOptions& command) {
  EvalCommandOptions o = command;
  o.sides = ParsePatients(o);  // refuses a malformed --patients before loading anything
  SetCpuThreads(o.threads);
  const std::vector<EvalEcg> set = LoadData(o);
  if (!o.export_archive.empty()) return ExportArchive(set, o.export_archive);
  if (o.model.empty()) throw Error::InvalidArgument("--model is required unless --export-archive");
  learning::EvalOptions options;
  options.linear_probe = o.probe;
  options.probe_l2 = o.probe_l2;
  nlohmann::json result;
  if (o.model == learning::kModelZeroKind) {
    result = learning::EvaluateModelZero(set, options);
  } else {
    learning::LoadedModel loaded = learning::LoadModelDir(o.model);
    result = learning::EvaluateModel(loaded.model, set, options);
  }
  std::cout << result.dump(o.json ? -1 : 2) << std::endl;
}

void Setup(CLI::App& app) {
  auto options = std::make_shared<EvalCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "Evaluate a model against a random encoder and the median-beat baseline");
  cmd->add_option("--model", options->model, "model directory, or 'zero' for model zero alone");
  cmd->add_option("--data", options->data, "archive(s), PTB-XL folder or folder of DICOM ECGs")
      ->required();
  cmd->add_option("--metadata", options->metadata, "ptbxl_database.csv for WFDB records");
  cmd->add_flag("--json,!--pretty", options->json, "one-line JSON (default) or indented");
  cmd->add_option("--patients", options->patients,
                  "all, train, heldout, or SIDE@SEED terms joined by commas (all must hold)");
  cmd->add_option("--heldout-fraction", options->heldout_fraction, "share of patients held out");
  cmd->add_option("--split-seed", options->split_seed, "seed of the patient split");
  cmd->add_flag("!--no-probe", options->probe, "skip the linear probe (label-free metrics only)");
  cmd->add_option("--probe-l2", options->probe_l2,
                  "the linear probe's L2 penalty on its weights (default 0.01)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--export-archive", options->export_archive,
                  "write the selected ECGs as an archive");
  cmd->add_option("--threads", options->threads, "LibTorch CPU threads");
  cmd->callback([options] { RunEval(*options); });
}

}  // namespace

ORTHANC_ECG_COMMAND("eval", Setup);

}  // namespace ecg::tools
