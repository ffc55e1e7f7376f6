// orthanc-ecg wfdb2dcm RECORD OUT.dcm
// orthanc-ecg wfdb2dcm --ptbxl DIR --out OUTDIR [--limit N] [--rate lr|hr] [--archive FILE]
//
// Converts WFDB records (waveform/wfdb.h) to DICOM ECGs (waveform/dicom/encoder.h) at the
// record's own rate, samples rounded to whole microvolts; the encoder chooses the SOP class
// (100 Hz PTB-XL records become Ambulatory ECG). RECORD is the header path with or without
// ".hea"; a single record gets the base date and time of its header as acquisition time and no
// patient.
//
// Batch mode reads DIR/ptbxl_database.csv (waveform/ptbxl.h) and converts, in ecg_id order, the
// records present in DIR (PTB-XL subsets hold only some), at most --limit of them, into
// OUTDIR/<ecg_id>_<lr|hr>.dcm with PatientID PTBXL-<patient_id>, sex, age and acquisition time
// from the database and UIDs derived from ecg_id. --archive also writes each ECG, canonicalised
// (500 Hz, waveform/canonical.h), to an EcgArchive with patient_key = patient_id and ecg_key =
// ecg_id. A record that fails to convert is reported by ecg_id on stderr and skipped; the exit
// status is then 1.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "tools/command.h"
#include "waveform/canonical.h"
#include "waveform/dicom/encoder.h"
#include "waveform/ecg_archive.h"
#include "waveform/error.h"
#include "waveform/ptbxl.h"
#include "waveform/wfdb.h"

namespace ecg::tools {
namespace {

namespace fs = std::filesystem;

struct Wfdb2DcmOptions {
  std::string record;        // single mode: the WFDB record
  std::string output;        // single mode: the DICOM file
  std::string ptbxl_dir;     // batch mode: the PTB-XL folder
  std::string out_dir;       // batch mode: folder for the DICOM files
  size_t limit = 0;          // batch mode: at most this many records (0: all)
  std::string rate = "lr";   // batch mode: "lr" (100 Hz) or "hr" (500 Hz)
  std::string archive_path;  // batch mode: EcgArchive of the canonical signals; empty: none
};

std::string WithoutHeaderExtension(std::string path) {
  if (path.size() > 4 && path.compare(path.size() - 4, 4, ".hea") == 0)
    path.resize(path.size() - 4);
  return path;
}

// The record's leads at its own rate, whole microvolts, limb leads derived where missing.
EcgSignal OwnRateSignal(const WaveformGroup& group) {
  CanonicalOptions own_rate;
  own_rate.sample_rate_hz = group.sample_rate_hz;
  return Canonicalise(group, own_rate);
}

void ConvertOne(const Wfdb2DcmOptions& o) {
  const WfdbRecord record = ReadWfdbRecord(WithoutHeaderExtension(o.record));
  EcgMetadata metadata;
  metadata.acquisition_time_ms = record.base_time_ms;
  if (record.base_time_ms) metadata.acquisition_time_source = "acquisition";
  dicom::WriteEcgFile(o.output, metadata, OwnRateSignal(record.group));
  std::cout << "wfdb2dcm: " << o.output << "\n";
}

std::unique_ptr<EcgArchiveWriter> OpenArchive(const std::string& path) {
  if (path.empty()) return nullptr;
  return std::make_unique<EcgArchiveWriter>(path, static_cast<uint32_t>(kCanonicalRate_hz),
                                            static_cast<uint32_t>(10 * kCanonicalRate_hz));
}

void ConvertPtbxl(const Wfdb2DcmOptions& o) {
  if (o.rate != "lr" && o.rate != "hr") {
    throw Error::InvalidArgument("wfdb2dcm --rate must be lr or hr, got '" + o.rate + "'");
  }
  const PtbxlRate rate = o.rate == "lr" ? PtbxlRate::kLow100Hz : PtbxlRate::kHigh500Hz;
  const PtbxlDatabase db = PtbxlDatabase::Read(o.ptbxl_dir);
  fs::create_directories(o.out_dir);
  auto archive = OpenArchive(o.archive_path);
  size_t written = 0, failed = 0;
  for (const PtbxlEcg& ecg : db.ecgs()) {
    if (o.limit != 0 && written >= o.limit) break;
    const std::string record = o.ptbxl_dir + "/" + PtbxlRecordName(ecg, rate);
    if (!fs::exists(record + ".hea")) continue;  // not in this subset
    try {
      const WfdbRecord wfdb = ReadWfdbRecord(record);
      const std::string name = std::to_string(ecg.ecg_id) + "_" + o.rate + ".dcm";
      dicom::WriteEcgFile(o.out_dir + "/" + name, PtbxlMetadata(ecg, rate),
                          OwnRateSignal(wfdb.group));
      if (archive) {
        ArchiveKeys keys;
        keys.ecg_key = ecg.ecg_id;
        keys.patient_key = ecg.patient_id;
        keys.acquisition_time_ms = ecg.recording_time_ms.value_or(kUnknownTime);
        archive->Append(keys, Canonicalise(wfdb.group));
      }
      ++written;
    } catch (const Error& e) {
      std::cerr << "wfdb2dcm: ecg_id " << ecg.ecg_id << ": " << e.what() << "\n";
      ++failed;
    }
  }
  if (archive) archive->Close();
  std::cout << "wfdb2dcm: " << written << " PTB-XL records written to " << o.out_dir
            << (failed ? ", " + std::to_string(failed) + " failed" : "") << "\n";
  if (failed) throw ExitStatus{1};
}

void Run(const Wfdb2DcmOptions& o) {
  const bool batch = !o.ptbxl_dir.empty();
  if (batch && (o.out_dir.empty() || !o.record.empty())) {
    throw Error::InvalidArgument("wfdb2dcm --ptbxl DIR needs --out OUTDIR and no RECORD");
  }
  if (!batch && (o.record.empty() || o.output.empty())) {
    throw Error::InvalidArgument("wfdb2dcm needs RECORD OUT.dcm, or --ptbxl DIR --out OUTDIR");
  }
  batch ? ConvertPtbxl(o) : ConvertOne(o);
}

void Setup(CLI::App& app) {
  auto o = std::make_shared<Wfdb2DcmOptions>();
  CLI::App* cmd =
      app.add_subcommand("wfdb2dcm", "Convert WFDB records (e.g. PTB-XL) to DICOM ECGs");
  cmd->add_option("record", o->record, "WFDB record (header path, .hea optional)");
  cmd->add_option("output", o->output, "DICOM file to write");
  cmd->add_option("--ptbxl", o->ptbxl_dir, "batch mode: a PTB-XL folder");
  cmd->add_option("--out", o->out_dir, "batch mode: folder for the DICOM files");
  cmd->add_option("--limit", o->limit, "batch mode: convert at most N records");
  cmd->add_option("--rate", o->rate, "batch mode: lr (100 Hz, default) or hr (500 Hz)");
  cmd->add_option("--archive", o->archive_path,
                  "batch mode: also write the canonical signals to this EcgArchive");
  cmd->callback([o] { Run(*o); });
}

}  // namespace

ORTHANC_ECG_COMMAND("wfdb2dcm", Setup);

}  // namespace ecg::tools
