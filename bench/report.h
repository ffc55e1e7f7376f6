// Benchmark reporting: every benchmark prints its figures through Report(), one line each,
//   BENCH<TAB>name<TAB>value<TAB>unit<TAB>target
// which bench/run-all.sh gathers into one table. QuickMode() is true when the binary was started
// with --quick (CI's smoke run: small inputs, figures not meaningful, targets not checked).
#pragma once

#include <string>
#include <vector>

namespace ecg::bench {

// Parses --quick from argv; call first in main().
void Init(int argc, char** argv);
bool QuickMode();

// target: e.g. ">= 5000", "<= 5 ms", or "" when the figure has none.
void Report(const std::string& name, double value, const std::string& unit,
            const std::string& target = "");

// The number after `name` on the command line (e.g. --rounds 12), else fallback.
long Flag(int argc, char** argv, const char* name, long fallback);

// Seconds since an arbitrary point, monotonic.
double NowSeconds();

// The value below which a share p (0..1) of `values` lies (nearest rank). REQUIRES: not empty.
double Percentile(std::vector<double> values, double p);

}  // namespace ecg::bench
