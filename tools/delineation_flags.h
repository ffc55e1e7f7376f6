// AddDelineationFlags: the developer options that set DelineationOptions fields
// (waveform/delineation.h), for the commands that evaluate the measurements (measure-eval,
// measure-repeat, rhythm-eval, qrs-eval): each flag, e.g. --qrs-onset-lead-threshold 0, sets one
// field, so a method variant or an earlier method version is measured without rebuilding. The
// defaults are the fields' own (the product's method). All flags are named "developer: ..." in
// the help.
#pragma once

#include <CLI/CLI.hpp>

#include "waveform/delineation.h"

namespace ecg::tools {

void AddDelineationFlags(CLI::App& cmd, DelineationOptions& d);

}  // namespace ecg::tools
