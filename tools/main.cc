// orthanc-ecg: the administrators' command line. Subcommands live in tools/cmd_*.cc.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>

#include "tools/command.h"
#include "waveform/error.h"

namespace {

int ExitCodeFor(const ecg::Error& e) {
  switch (e.code()) {
    case ecg::ErrorCode::kCorruption:
    case ecg::ErrorCode::kUnsupported:
    case ecg::ErrorCode::kInvalidArgument:
    case ecg::ErrorCode::kNotFound:
      return 2;
    default:
      return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Logs go to stderr so that --json output on stdout stays parseable.
  spdlog::set_default_logger(spdlog::stderr_color_mt("orthanc-ecg"));
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");

  CLI::App app{"orthanc-ecg: DICOM ECG ingest, longitudinal store and self-supervised search"};
  app.require_subcommand(1);
  app.set_version_flag("--version", ORTHANC_ECG_VERSION_STRING);
  auto& registry = ecg::tools::CommandRegistry();
  std::sort(registry.begin(), registry.end(),
            [](const auto& a, const auto& b) { return std::string(a.name) < b.name; });
  for (const auto& command : registry) command.setup(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const ecg::tools::ExitStatus& status) {
    return status.code;
  } catch (const ecg::Error& e) {
    std::cerr << "orthanc-ecg: " << e.what() << "\n";
    return ExitCodeFor(e);
  } catch (const std::exception& e) {
    std::cerr << "orthanc-ecg: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
