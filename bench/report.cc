#include "report.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace ecg::bench {

namespace {
bool quick_mode = false;
}

void Init(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick_mode = true;
  }
}

long Flag(int argc, char** argv, const char* name, long fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::stol(argv[i + 1]);
  }
  return fallback;
}

bool QuickMode() {
  return quick_mode;
}

void Report(const std::string& name, double value, const std::string& unit,
            const std::string& target) {
  std::printf("BENCH\t%s\t%.6g\t%s\t%s\n", name.c_str(), value, unit.c_str(), target.c_str());
  std::fflush(stdout);
}

double NowSeconds() {
  using Clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * values.size()))];
}

}  // namespace ecg::bench
