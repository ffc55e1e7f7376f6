#include "tools/command.h"

namespace ecg::tools {

std::vector<Command>& CommandRegistry() {
  static std::vector<Command> registry;
  return registry;
}

}  // namespace ecg::tools
