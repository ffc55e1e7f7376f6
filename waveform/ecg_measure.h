// MeasureEcg: the intervals, axes and rhythm a cardiologist reads, from a whole ECG.
//
// Steps: R peaks and RR (waveform/measurements.h); checks that the signal can be measured (flat,
// too few beats, beats that do not resemble each other = noise); a median beat over a window
// fitted to the RR; global boundaries on it (waveform/delineation.h); intervals from the
// boundaries; frontal axes from the net areas of leads I and aVF, angle = atan2(2/sqrt(3) x
// area(aVF), area(I)) in degrees (-180, 180]; rhythm from the P wave and the RR regularity.
// The QRS axis is indeterminate (null, reason "indeterminate: the QRS is equiphasic in leads I
// and aVF") when the net vector (area(I), 2/sqrt(3) x area(aVF)) is shorter than 0.2 of the
// vector of the absolute areas: an axis from a nearly cancelled QRS jumps with noise (between the
// halves of one PTB-XL recording by up to 122 degrees, docs/measurements.md "Indeterminate axis").
//
// Honesty rules: every value is optional; when one is absent `reasons[field]` says why. No P
// duration, PR or P axis without a P wave that is found in the median beat and recurs beat by
// beat (the median over the beats of the correlation of a beat's P segment with the sample-wise
// median of the *other* beats' segments reaches 0.5; a median that included the beat itself let
// fibrillation waves pass by chance, docs/measurements.md "Rhythm against PTB-XL"), nor from P
// boundaries that span more than 200 ms (not one P wave; the rhythm label stays). Below 250 Hz
// (the rate of the source, MeasureOptions::source_sample_rate_hz, when the signal was resampled) P,
// PR and QRS durations are left out: their boundaries are not resolved. Pacing spikes: rhythm
// "paced", P and PR left out, QRS measured and flagged.
//
// Rhythm vocabulary (stable, shown to users and stored): "sinus", "sinus, irregular RR",
// "atrial fibrillation/flutter (no P wave)", "regular, no P wave", "paced", "unknown".
//
// Units: ms, beats/min, degrees; names carry them. Pure functions, thread-safe, no exceptions for
// any signal (a broken signal gives nulls with reasons).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "waveform/delineation.h"
#include "waveform/ecg_signal.h"

namespace ecg {

struct MeasureOptions {
  // The rate the signal was recorded at, when it has been resampled since (canonical signals are
  // 500 Hz whatever the file held). nullopt: signal.sample_rate_hz().
  std::optional<double> source_sample_rate_hz;
  DelineationOptions delineation;
};

// How far the figures can be trusted. Stored and shown as is.
struct MeasurementQuality {
  size_t leads_used = 0;           // present leads
  size_t beats = 0;                // R peaks found
  size_t beats_in_median = 0;      // beats whose window fits (the median beat's support)
  double beat_consistency = 0;     // median correlation of each beat's QRS with the median's (0..1)
  bool flat = false;               // no lead moves by more than 30 uV
  bool noisy = false;              // beats do not resemble each other (consistency < 0.6)
  bool irregular_rr = false;       // normalised RMSSD of RR > 0.1
  bool p_wave_consistent = false;  // the P wave recurs beat by beat (see above)
  bool low_sample_rate = false;    // source below 250 Hz
  bool pacing_spikes = false;      // narrow spikes before most QRS complexes
  bool reduced_leads = false;      // fewer than 8 independent leads present
};

struct EcgMeasurements {
  std::optional<double> heart_rate_bpm;
  std::optional<double> rr_ms;
  std::optional<double> p_ms;
  std::optional<double> pr_ms;
  std::optional<double> qrs_ms;
  std::optional<double> qt_ms;
  std::optional<double> qtc_bazett_ms;
  std::optional<double> qtc_fridericia_ms;
  std::optional<double> p_axis_deg;
  std::optional<double> qrs_axis_deg;
  std::optional<double> t_axis_deg;
  std::string rhythm = "unknown";
  MeasurementQuality quality;
  std::map<std::string, std::string> reasons;  // field name -> why it is null
  // The boundaries found, as sample indices in the median beat (at the signal's rate) whose R
  // peak is at median_r_index; nullopt when no QRS could be delimited. For display and tests.
  std::optional<BeatBoundaries> boundaries;
  size_t median_r_index = 0;
};

// The names of the eleven numeric fields, in the order above (JSON keys, reasons keys).
const std::vector<std::string>& MeasurementFieldNames();
// The value of a field by name; nullopt for null and for an unknown name.
std::optional<double> MeasurementField(const EcgMeasurements& m, const std::string& name);
// Sets a field by name; an unknown name is ignored.
void SetMeasurementField(EcgMeasurements& m, const std::string& name, std::optional<double> value);

EcgMeasurements MeasureEcg(const EcgSignal& signal, const MeasureOptions& options = {});

}  // namespace ecg
