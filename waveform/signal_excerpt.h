// SignalExcerpt: a small piece of an ECG for a preview. The clinician's page draws 2.5 s of lead II
// in a thumbnail 160 pixels wide; the whole signal (12 leads, 10 s at 500 Hz: 120 KB as
// waveform/signal_i16.h) is 50 times what that needs, for each of the 20 entries of a page.
//
// The excerpt starts at the signal's first sample and lasts min(duration_ms, the signal's own
// duration). It holds the requested leads with their status (kMissing ones stay missing); every
// other lead is kMissing with zero samples. Its rate is rate_hz when that is below the signal's
// rate (band-limited resampling, waveform/resample.h), else the signal's own rate: an excerpt is
// never upsampled. Pure; thread-safe.
// Errors: Error::InvalidArgument for duration_ms <= 0, rate_hz < 0 or a non-finite value.
#pragma once

#include <vector>

#include "waveform/ecg_signal.h"
#include "waveform/lead.h"

namespace ecg {

struct ExcerptRequest {
  std::vector<Lead> leads;  // empty: all twelve
  double duration_ms = 0;   // > 0
  double rate_hz = 0;       // 0: the signal's own rate
  // Only the first of `leads` that the signal holds (recorded or derived), for a preview that
  // wants one lead and has a preference order (a single-lead recording has no lead II); when the
  // signal holds none of them, the first one asked (missing).
  bool first_held_only = false;
};

EcgSignal SignalExcerpt(const EcgSignal& signal, const ExcerptRequest& request);

}  // namespace ecg
