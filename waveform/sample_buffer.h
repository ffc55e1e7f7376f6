// SampleBuffer: the float storage of decoded channels (waveform/ecg_record.h) and of EcgSignal
// (waveform/ecg_signal.h), a std::vector<float> whose size-only growth does not zero.
//
// std::vector<float>(n) and resize(n) value-initialise, i.e. write zeros that the decoder and the
// resampler then overwrite (a memset of 720 KB per 10 s 1000 Hz 12-lead ECG, a tenth of its
// decode and canonicalisation time). With DefaultInitAllocator, SampleBuffer(n) and resize(n)
// leave the new floats INDETERMINATE: whoever grows a buffer that way must write every new
// sample before anything reads it. Everything else is std::vector's: SampleBuffer(n, 0.0f),
// resize(n, 0.0f), assign(), initializer lists and copies initialise as usual. Code that needs a
// std::vector<float> converts explicitly (ToVector). Same thread safety as std::vector.
#pragma once

#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace ecg {

// std::allocator<T> whose construct() without arguments default-initialises (for float: leaves
// the value indeterminate) instead of value-initialising.
template <typename T>
class DefaultInitAllocator : public std::allocator<T> {
 public:
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };

  DefaultInitAllocator() noexcept = default;
  template <typename U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}

  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible<U>::value) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

template <typename T, typename U>
bool operator==(const DefaultInitAllocator<T>&, const DefaultInitAllocator<U>&) noexcept {
  return true;
}
template <typename T, typename U>
bool operator!=(const DefaultInitAllocator<T>&, const DefaultInitAllocator<U>&) noexcept {
  return false;
}

using SampleBuffer = std::vector<float, DefaultInitAllocator<float>>;

// A copy as a plain std::vector<float>.
inline std::vector<float> ToVector(const SampleBuffer& samples) {
  return std::vector<float>(samples.begin(), samples.end());
}

}  // namespace ecg
