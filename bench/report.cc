#include "report.h"

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

bool QuickMode() { return quick_mode; }

void Report(const std::string& name, double value, const std::string& unit,
            const std::string& target) {
  std::printf("BENCH\t%s\t%.6g\t%s\t%s\n", name.c_str(), value, unit.c_str(), target.c_str());
  std::fflush(stdout);
}

double NowSeconds() {
  using Clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

}  // namespace ecg::bench
