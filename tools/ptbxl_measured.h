// PTB-XL's ECGs measured as the plugin measures them, for the commands that check the product's
// measurements against the statements of PTB-XL's cardiologists (rhythm-eval, qrs-eval).
//
// ForEachMeasuredPtbxlEcg reads the database of `folder` (waveform/ptbxl.h), and for every ECG in
// ecg_id order whose stratified fold lies in `folds` and whose record at `rate_hz` (100:
// filename_lr, 500: filename_hr) is present under `folder`, reads the WFDB record,
// canonicalises it and measures it with `measure` told its source rate
// (MeasureOptions::source_sample_rate_hz), then calls visit(ecg, measurements). Returns the number
// of ECGs visited.
//
// PTB-XL's authors keep folds 9 and 10 for validation and test: develop on 1-8, check on 9-10.
// Errors: Error::InvalidArgument for a rate other than 100 or 500 or malformed folds (the
// message names --rate or --folds); Error::NotFound when no record is present at that rate for
// those folds (the message names the folder, the rate and the folds); the database's and the
// records' own errors otherwise.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <functional>
#include <string>

#include "waveform/ecg_measure.h"
#include "waveform/ptbxl.h"

namespace ecg::tools {

struct PtbxlSelection {
  std::string folder;      // PTB-XL folder: ptbxl_database.csv, scp_statements.csv, records*/
  int rate_hz = 100;       // 100 or 500
  std::string folds;       // "A-B" with 1 <= A <= B <= 10; empty: all
  MeasureOptions measure;  // developer variants; the source rate is set per record
};

size_t ForEachMeasuredPtbxlEcg(
    const PtbxlSelection& selection,
    const std::function<void(const PtbxlEcg&, const EcgMeasurements&)>& visit);

// "PTB-XL DIR, 500 Hz records, folds 1-8": what was measured, for a command's heading.
std::string SelectionText(const PtbxlSelection& selection);

// Adds --ptbxl (required) and --folds to `cmd`, filling `selection`.
void AddPtbxlOptions(CLI::App& cmd, PtbxlSelection& selection);

}  // namespace ecg::tools
