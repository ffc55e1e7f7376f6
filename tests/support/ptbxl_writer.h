// WritePtbxlFolder(dir, statements, records): a small PTB-XL folder for tests of the commands
// that read one (rhythm-eval, qrs-eval): scp_statements.csv with the given statement rows under
// PTB-XL's header (",description,diagnostic,form,rhythm,diagnostic_class"), ptbxl_database.csv
// with one row per record, and each record's signal as WFDB (tests/support/wfdb_writer.h) under
// records100/00000/NNNNN_lr or records500/00000/NNNNN_hr by its rate. Header-only, for tests.
#pragma once

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/wfdb_writer.h"
#include "waveform/ecg_signal.h"

namespace ecg::testing {

struct PtbxlTestRecord {
  int ecg_id;
  std::string scp_codes;  // as PTB-XL writes them: "{'NORM': 100.0, 'SR': 0.0}"
  int strat_fold;
  EcgSignal signal;  // written at its own rate: 100 Hz as filename_lr, otherwise filename_hr
};

inline void WritePtbxlFolder(const std::string& dir, const std::string& statements,
                             const std::vector<PtbxlTestRecord>& records) {
  std::ofstream(dir + "/scp_statements.csv")
      << ",description,diagnostic,form,rhythm,diagnostic_class\n"
      << statements;
  std::ofstream db(dir + "/ptbxl_database.csv");
  db << "ecg_id,patient_id,age,sex,recording_date,scp_codes,strat_fold,filename_lr,filename_hr\n";
  for (const PtbxlTestRecord& r : records) {
    char name[8];
    std::snprintf(name, sizeof(name), "%05d", r.ecg_id);
    db << r.ecg_id << "," << 100 + r.ecg_id << ",60,0,2000-01-01 10:00:00,\"" << r.scp_codes
       << "\"," << r.strat_fold << ",records100/00000/" << name << "_lr,records500/00000/" << name
       << "_hr\n";
    const bool low = r.signal.sample_rate_hz() == 100;
    WriteWfdb(r.signal, dir + (low ? "/records100/00000" : "/records500/00000"),
              std::string(name) + (low ? "_lr" : "_hr"));
  }
}

}  // namespace ecg::testing
