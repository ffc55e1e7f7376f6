// Canonicalisation: from what a file holds to what the system computes on.
//
// Canonicalise() takes a waveform group (any rate, channels in any order, some leads absent) and
// returns the canonical EcgSignal: the twelve standard leads at options.sample_rate_hz, resampled
// band-limited (waveform/resample.h), rounded to whole microvolts, with I/II-derived limb leads
// filled in and marked kDerived, and absent leads zero and kMissing. Channels that are not
// standard leads are ignored; if a lead appears twice the first channel wins. Samples are
// rounded to the nearest microvolt (ties to even) before limb leads are derived, so a derived
// III equals II - I exactly; derived aVR, aVL, aVF are rounded after derivation. The output
// has round(n * out/in) samples per lead; at equal rates the samples are only rounded.
//
// Thread-safe (no shared mutable state besides the resampler's filter-bank cache).
// Throws Error::Unsupported when the group has neither lead I nor lead II nor any precordial lead
// (nothing that could be an ECG), Error::InvalidArgument for a non-positive rate or a channel
// whose sample count differs from the group's samples_per_channel.
#pragma once

#include "waveform/ecg_record.h"
#include "waveform/ecg_signal.h"

namespace ecg {

constexpr double kCanonicalRate_hz = 500.0;

struct CanonicalOptions {
  // Output rate. 500 Hz keeps everything a diagnostic ECG holds (up to 150 Hz) with margin.
  double sample_rate_hz = kCanonicalRate_hz;
};

EcgSignal Canonicalise(const WaveformGroup& group, const CanonicalOptions& options = {});

}  // namespace ecg
