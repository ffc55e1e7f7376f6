// Device selection and CPU threading for LibTorch, decided once and passed down.
//
// ResolveDevice("auto") picks CUDA device 0 when LibTorch sees one, else the CPU; "cpu" and
// "cuda:N" are taken as given (Error::Unavailable when that CUDA device does not exist,
// Error::InvalidArgument for any other text). SetCpuThreads sets LibTorch's intra-op threads:
// Debian's LibTorch starts with one thread, so callers set it deliberately (the plugin's embedder
// keeps it low so as not to starve Orthanc).
#pragma once

#include <torch/types.h>

#include <string>

namespace ecg {

torch::Device ResolveDevice(const std::string& spec);
void SetCpuThreads(int threads);

}  // namespace ecg
