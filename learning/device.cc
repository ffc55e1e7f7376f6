#include "learning/device.h"

#include <torch/cuda.h>
#include <torch/utils.h>

#include "waveform/error.h"

namespace ecg {

torch::Device ResolveDevice(const std::string& spec) {
  if (spec == "auto") {
    return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0)
                                       : torch::Device(torch::kCPU);
  }
  if (spec == "cpu") return torch::Device(torch::kCPU);
  if (spec.rfind("cuda", 0) == 0) {
    torch::Device device(torch::kCPU);
    try {
      device = torch::Device(spec);
    } catch (const std::exception&) {
      throw Error::InvalidArgument("device '" + spec + "': expected auto, cpu or cuda:N");
    }
    const int index = device.has_index() ? device.index() : 0;
    if (!torch::cuda::is_available() || index >= static_cast<int>(torch::cuda::device_count())) {
      throw Error::Unavailable("device '" + spec + "': no such CUDA device on this machine");
    }
    return device;
  }
  throw Error::InvalidArgument("device '" + spec + "': expected auto, cpu or cuda:N");
}

void SetCpuThreads(int threads) {
  if (threads < 1) throw Error::InvalidArgument("CPU threads must be at least 1");
  torch::set_num_threads(threads);
}

}  // namespace ecg
