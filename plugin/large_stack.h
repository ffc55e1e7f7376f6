// large_stack: runs a function on a thread of its own with a stack large enough for the layers
// below the plugin, and waits for it.
//
// Orthanc serves REST calls on its HTTP server's threads, whose stacks are small (about 160 KB
// seen in a core dump of Orthanc 1.10). LibTorch's kernels, run inline on the calling thread
// whenever its intra-op pool is not used, need more: an embedding computed in a route (POST
// /ecg/search, a similar-ECG query whose embedding is not stored yet) overflowed that stack and
// killed Orthanc with SIGSEGV, now and then, when the machine was busy. Every route therefore
// runs here (plugin/rest.cc Serve).
//
// RunOnLargeStack(fn) runs fn on a new thread with kLargeStackBytes of stack, joins it and
// rethrows what fn threw. It costs a thread start per call (not measured on its own; the plugin
// test that times the 200-ECG timeline route against its 50 ms limit includes it). If the
// thread cannot be started, fn runs on the calling thread. Thread-safe.
#pragma once

#include <cstddef>
#include <functional>

namespace ecg::plugin {

constexpr size_t kLargeStackBytes = size_t{8} << 20;  // 8 MiB, Linux's usual main-thread stack

void RunOnLargeStack(const std::function<void()>& fn);

}  // namespace ecg::plugin
