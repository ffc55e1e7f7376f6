// SignalCodec: lossless compression of canonical ECG signals for the store.
//
// Encode() takes a canonical EcgSignal (whole microvolts, see waveform/canonical.h) and returns a
// self-describing blob: a 16-byte header (magic "ECZ2", uint32 sample rate in Hz, uint32 samples
// per lead, uint32 packed lead mask) and a zstd frame of each present lead's residuals in
// canonical order, one byte per sample: min(zigzag(residual), 255), where 255 says "the next
// escape", and after all of them the escapes (uint64, little-endian) in sample order. A residual
// is the sample's second difference (x[t] - 2x[t-1] + x[t-2]), except for leads III, aVR, aVL and
// aVF when I and II are present: their difference from Einthoven's and Goldberger's equations
// applied to I and II, (a I[t] + b II[t]) >> 1 (nearly all 0 or 1 when the device derived them;
// a fifth smaller blobs on PTB-XL). A byte per sample keeps the encoder branch-free and in
// vector registers; zstd takes the rest. Decode() gives the identical signal back, and still
// reads the earlier "ECZ1" blobs (varints of second differences throughout). Missing leads are
// not stored (they are zero).
//
// Throws Error::InvalidArgument if a sample is not a whole number of microvolts within int32, and
// Error::Corruption for a blob that does not decode (with the reason). Thread-safe (no state).
#pragma once

#include <string>

#include "waveform/ecg_signal.h"

namespace ecg {

// zstd level 1: on PTB-XL, blobs 3% larger than at zstd's default 3 and zstd's part, most of the
// encode, about a quarter faster (docs/benchmarks.md); the encode is the larger part of what the
// plugin spends per ECG.
constexpr int kDefaultSignalZstdLevel = 1;

std::string EncodeSignal(const EcgSignal& signal, int zstd_level = kDefaultSignalZstdLevel);
EcgSignal DecodeSignal(const std::string& blob);

}  // namespace ecg
