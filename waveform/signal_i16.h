// signal_i16: the compact form of an EcgSignal for drawing ("ECGI16", the clinician's page reads
// it with ?format=i16 on GET /ecg/ecgs/{id}/signal), instead of 60,000 JSON numbers.
//
// Layout, all integers little-endian, 32-byte header then the samples:
//   offset  0  8 bytes  magic "ECGI16\0\1" (the last byte is the format version, 1)
//   offset  8  uint32   sample rate in millihertz (500 Hz: 500000)
//   offset 12  uint32   samples per lead (n)
//   offset 16  uint32   scale: microvolts per unit (1 for every ordinary ECG, see below)
//   offset 20  12 bytes lead status per lead in canonical order (waveform/lead.h: I, II, III,
//                       aVR, aVL, aVF, V1-V6): 0 missing, 1 recorded, 2 derived (LeadStatus)
//   offset 32  12 x n   int16 samples, lead-major in the same order: sample * scale = microvolts
// Size: 32 + 24 n bytes (120,032 for 10 s at 500 Hz, against 866,502 bytes of JSON, page_bench).
//
// Scale, honestly: canonical signals are whole microvolts, so the scale is 1 and the samples are
// exact whenever every |sample| <= 32767 uV (32.8 mV, far beyond any ECG deflection). Otherwise
// the scale is the smallest whole number of microvolts that fits the largest sample, every sample
// is rounded to the nearest multiple of it, and nothing is clamped. Non-finite samples are 0.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "waveform/ecg_signal.h"

namespace ecg {

constexpr size_t kSignalI16HeaderBytes = 32;

// The bytes described above (application/octet-stream).
std::string EncodeSignalI16(const EcgSignal& signal);

// The inverse, for tests, benchmarks and tools. Throws Error::Corruption when the bytes are not
// this format (magic, version, size), naming what is wrong.
EcgSignal DecodeSignalI16(const std::string& bytes);

// The scale EncodeSignalI16 chooses for `signal`: microvolts per unit, >= 1.
uint32_t SignalI16ScaleUv(const EcgSignal& signal);

}  // namespace ecg
