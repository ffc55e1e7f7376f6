// Command: one `orthanc-ecg` subcommand. Each tools/cmd_*.cc file defines one and registers it
// with ORTHANC_ECG_COMMAND; main.cc builds the CLI11 application from the registry.
//
// A command's Setup adds its subcommand and options to the app and sets a callback that parses
// the flags into the layer's own options struct and calls the layer. Errors are thrown as
// ecg::Error (or CLI11's parse errors); main.cc turns them into one line on stderr and an exit
// status: 2 for bad input (Corruption, Unsupported, InvalidArgument, NotFound), 1 otherwise.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace ecg::tools {

struct Command {
  const char* name;
  std::function<void(CLI::App& app)> setup;
};

std::vector<Command>& CommandRegistry();

struct CommandRegistrar {
  CommandRegistrar(const char* name, std::function<void(CLI::App&)> setup) {
    CommandRegistry().push_back({name, std::move(setup)});
  }
};

// Throws the exit status out of a callback without printing anything more (e.g. after a command
// printed its own error line).
struct ExitStatus {
  int code;
};

}  // namespace ecg::tools

#define ORTHANC_ECG_COMMAND(name, setup_fn) \
  static ::ecg::tools::CommandRegistrar orthanc_ecg_command_registrar_(name, setup_fn)
