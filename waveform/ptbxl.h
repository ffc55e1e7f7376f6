// PTB-XL metadata: ptbxl_database.csv and scp_statements.csv of a PTB-XL folder, as structs.
//
// Wagner et al., Sci Data 7:154 (2020). Per ECG: its patient, recording time, age, sex, the SCP
// statements with their likelihoods, the diagnostic superclasses, the stratified fold and the
// record names at 100 Hz (filename_lr) and 500 Hz (filename_hr), relative to the folder.
//
// Superclasses: the diagnostic_class (NORM, MI, STTC, CD, HYP) of every statement in scp_codes
// that scp_statements.csv marks diagnostic, whatever its likelihood. This follows the PTB-XL
// authors' own example and benchmark code: a likelihood of 0 there means "not stated", not
// "absent". Callers wanting a threshold filter scp_codes themselves. Sorted, unique; empty for
// ECGs with no diagnostic statement (about 2% of PTB-XL).
//
// Ages: PTB-XL writes 300 for patients older than 89 (anonymisation); this reads them as 90.
// Sex: 0 -> "M", 1 -> "F". recording_date "YYYY-MM-DD HH:MM:SS" is a wall-clock time, stored as
// ms since 1970 read as UTC (the same convention as EcgMetadata::acquisition_time_ms).
//
// Errors: Error::NotFound for a missing CSV, Error::Corruption for a malformed one (the message
// names the file and line). The database is immutable after reading: share it freely.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "waveform/ecg_record.h"

namespace ecg {

struct PtbxlEcg {
  int64_t ecg_id = 0;
  int64_t patient_id = 0;  // PHI-like: never log it
  std::optional<int> age_years;
  std::string sex;  // "M", "F" or empty
  std::optional<int64_t> recording_time_ms;
  std::map<std::string, double> scp_codes;  // statement -> likelihood (0..100)
  std::vector<std::string> superclasses;    // NORM, MI, STTC, CD, HYP (see above)
  int strat_fold = 0;                       // 1..10; the authors suggest 9 validation, 10 test
  std::string filename_lr;                  // e.g. "records100/00000/00001_lr"
  std::string filename_hr;                  // e.g. "records500/00000/00001_hr"
};

// Which of the two recordings of a PTB-XL ECG (both 10 s, 12 leads).
enum class PtbxlRate { kLow100Hz, kHigh500Hz };

class PtbxlDatabase {
 public:
  // Reads folder/ptbxl_database.csv and folder/scp_statements.csv.
  static PtbxlDatabase Read(const std::string& folder);

  const std::vector<PtbxlEcg>& ecgs() const { return ecgs_; }
  std::optional<PtbxlEcg> Find(int64_t ecg_id) const;

 private:
  std::vector<PtbxlEcg> ecgs_;  // in file order (ascending ecg_id)
  std::unordered_map<int64_t, size_t> by_id_;
};

// "PTBXL-<patient_id>", the PatientID written by `orthanc-ecg wfdb2dcm --ptbxl`.
std::string PtbxlPatientId(int64_t patient_id);

// The record name (filename_lr or filename_hr), relative to the PTB-XL folder.
const std::string& PtbxlRecordName(const PtbxlEcg& ecg, PtbxlRate rate);

// Metadata for an imported PTB-XL record: PatientID as above, sex, age, acquisition time, and
// study/series/instance UIDs derived from ecg_id and the rate (re-importing gives the same UIDs;
// the 100 Hz and 500 Hz recordings of one ECG get different ones).
EcgMetadata PtbxlMetadata(const PtbxlEcg& ecg, PtbxlRate rate);

}  // namespace ecg
