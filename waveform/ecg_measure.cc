#include "waveform/ecg_measure.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numeric>

#include "waveform/canonical.h"
#include "waveform/error.h"
#include "waveform/measurements.h"
#include "waveform/median.h"

namespace ecg {
namespace {

using Index = std::ptrdiff_t;

constexpr double kFlatRange_uV = 30;
constexpr double kMinConsistency = 0.6;
constexpr double kMinPConsistency = 0.5;
constexpr double kIrregularRmssd = 0.1;
constexpr double kMinBoundaryRate_hz = 250;
// The longest P wave measured: longer boundaries are not one P wave. Interatrial block starts
// at 120 ms; LUDB's cardiologists' longest global P (earliest onset to latest offset over 12
// leads) is 187 ms; the product's P on PTB-XL's 500 Hz records jumps from 188 ms to 202-346 ms,
// among them P offsets at the QRS onset and paced ECGs (docs/measurements.md).
constexpr double kMaxPWave_ms = 200;
constexpr double kPacingSpike_uV = 2000;
// Below this net-to-gross ratio of the QRS in leads I and aVF its axis is indeterminate. Chosen
// on the two halves of PTB-XL's 500 Hz records (measure-repeat): the halves whose axes jumped by
// 70-122 degrees had ratios 0.03-0.19, the lowest of the stable ones 0.23 (docs/measurements.md).
constexpr double kMinQrsNetToGross = 0.2;

Index Samples(double ms, double rate_hz) {
  return std::lround(ms * rate_hz / 1000.0);
}

std::string Format(const char* format, double value) {
  char buffer[160];
  std::snprintf(buffer, sizeof(buffer), format, value);
  return buffer;
}

using FieldMember = std::optional<double> EcgMeasurements::*;

// The member of each numeric field, in MeasurementFieldNames() order.
const std::vector<FieldMember>& FieldMembers() {
  static const std::vector<FieldMember> members = {
      &EcgMeasurements::heart_rate_bpm, &EcgMeasurements::rr_ms,
      &EcgMeasurements::p_ms,           &EcgMeasurements::pr_ms,
      &EcgMeasurements::qrs_ms,         &EcgMeasurements::qt_ms,
      &EcgMeasurements::qtc_bazett_ms,  &EcgMeasurements::qtc_fridericia_ms,
      &EcgMeasurements::p_axis_deg,     &EcgMeasurements::qrs_axis_deg,
      &EcgMeasurements::t_axis_deg};
  return members;
}

// Every still-null field gets `reason` unless it already has one.
void NullAll(EcgMeasurements& m, const std::string& reason) {
  for (const std::string& name : MeasurementFieldNames()) {
    if (!MeasurementField(m, name) && !m.reasons.count(name)) m.reasons[name] = reason;
  }
}

// Pearson correlation of two equally long vectors; 0 when either is constant.
double Correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  if (a.empty()) return 0;
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n;
  const double mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

// All present leads on [from, to) relative to `centre` (an index in `signal`), each lead's mean
// removed, concatenated. Empty when the window leaves the signal.
std::vector<double> Window(const EcgSignal& signal, Index centre, Index from, Index to) {
  const Index n = static_cast<Index>(signal.samples_per_lead());
  if (centre + from < 0 || centre + to > n || from >= to) return {};
  std::vector<double> out;
  for (Lead lead : AllLeads()) {
    if (!signal.mask().present(lead)) continue;
    const float* x = signal.lead_uV(lead) + centre;
    double mean = 0;
    for (Index i = from; i < to; ++i) mean += x[i];
    mean /= static_cast<double>(to - from);
    for (Index i = from; i < to; ++i) out.push_back(x[i] - mean);
  }
  return out;
}

// Median correlation of each beat's window [from, to) around its R peak with the median beat's.
double Consistency(const EcgSignal& signal, const std::vector<size_t>& r_peaks,
                   const EcgSignal& median, Index median_r, Index from, Index to) {
  const std::vector<double> reference = Window(median, median_r, from, to);
  if (reference.empty()) return 0;
  std::vector<double> correlations;
  for (size_t r : r_peaks) {
    const std::vector<double> beat = Window(signal, static_cast<Index>(r), from, to);
    if (!beat.empty()) correlations.push_back(Correlation(beat, reference));
  }
  return Median(correlations);
}

// The median of the values sorted[0..count) without the one at position `skip` (count >= 2),
// with Median's convention for an even count.
double MedianWithout(const double* sorted, size_t count, size_t skip) {
  const size_t n = count - 1;
  const auto at = [&](size_t i) { return sorted[i < skip ? i : i + 1]; };
  return n % 2 == 1 ? at(n / 2) : 0.5 * (at(n / 2 - 1) + at(n / 2));
}

// Median correlation of each beat's window [from, to) around its R peak with the sample-wise
// median of the *other* beats' windows (leave one out). A wave locked to the QRS (a P wave)
// resembles the others'; activity that is not (fibrillation waves, noise) resembles a median
// that includes itself by chance, the more so the fewer the beats, but not one without it. 0
// with fewer than two beats whose window fits.
double LeaveOneOutConsistency(const EcgSignal& signal, const std::vector<size_t>& r_peaks,
                              Index from, Index to) {
  std::vector<std::vector<double>> beats;
  for (size_t r : r_peaks) {
    std::vector<double> w = Window(signal, static_cast<Index>(r), from, to);
    if (!w.empty()) beats.push_back(std::move(w));
  }
  const size_t count = beats.size();
  if (count < 2) return 0;
  const size_t length = beats.front().size();
  // Per sample k: the beats' values in ascending order (sorted[k * count ..]) and each beat's
  // position among them (rank[i * length + k]).
  std::vector<double> sorted(length * count);
  std::vector<uint32_t> rank(count * length);
  std::vector<std::pair<double, uint32_t>> column(count);
  for (size_t k = 0; k < length; ++k) {
    for (size_t i = 0; i < count; ++i) column[i] = {beats[i][k], static_cast<uint32_t>(i)};
    std::sort(column.begin(), column.end());
    for (size_t pos = 0; pos < count; ++pos) {
      sorted[k * count + pos] = column[pos].first;
      rank[column[pos].second * length + k] = static_cast<uint32_t>(pos);
    }
  }
  std::vector<double> correlations, others(length);
  for (size_t i = 0; i < count; ++i) {
    for (size_t k = 0; k < length; ++k)
      others[k] = MedianWithout(&sorted[k * count], count, rank[i * length + k]);
    correlations.push_back(Correlation(beats[i], others));
  }
  return Median(correlations);
}

// True when most beats have a narrow spike (second difference above kPacingSpike_uV in some
// lead) in the 300 ms before their R peak.
bool PacingSpikes(const EcgSignal& signal, const std::vector<size_t>& r_peaks) {
  const Index n = static_cast<Index>(signal.samples_per_lead());
  std::vector<double> curvature(n, 0.0);
  for (Lead lead : AllLeads()) {
    if (!signal.mask().present(lead)) continue;
    const float* x = signal.lead_uV(lead);
    for (Index i = 1; i + 1 < n; ++i) {
      curvature[i] = std::max<double>(curvature[i], std::abs(x[i + 1] - 2.0f * x[i] + x[i - 1]));
    }
  }
  const double rate = signal.sample_rate_hz();
  size_t spiked = 0;
  for (size_t r : r_peaks) {
    const Index lo = std::max<Index>(0, static_cast<Index>(r) - Samples(300, rate));
    const Index hi = std::min<Index>(n - 1, static_cast<Index>(r) + Samples(20, rate));
    for (Index i = lo; i <= hi; ++i) {
      if (curvature[i] > kPacingSpike_uV) {
        ++spiked;
        break;
      }
    }
  }
  return !r_peaks.empty() && 2 * spiked >= r_peaks.size();
}

// One wave's areas in leads I and aVF on the median beat (waveform/delineation.h).
struct FrontalAreas {
  double net_i_uVms = 0;
  double net_avf_uVms = 0;
  double absolute_i_uVms = 0;
  double absolute_avf_uVms = 0;
};

FrontalAreas FrontalAreasOf(const EcgSignal& beat, const BeatBoundaries& b, size_t from,
                            size_t to) {
  return {NetArea_uVms(beat, Lead::kI, b, from, to), NetArea_uVms(beat, Lead::kAVF, b, from, to),
          AbsoluteArea_uVms(beat, Lead::kI, b, from, to),
          AbsoluteArea_uVms(beat, Lead::kAVF, b, from, to)};
}

// aVF's scale in the frontal plane: the axis is atan2(kAvfScale x aVF, I).
const double kAvfScale = 2.0 / std::sqrt(3.0);

std::optional<double> FrontalAxis(const FrontalAreas& a) {
  if (std::abs(a.net_i_uVms) + std::abs(a.net_avf_uVms) < 1.0) return std::nullopt;  // < 1 uV x ms
  const double deg =
      std::round(std::atan2(kAvfScale * a.net_avf_uVms, a.net_i_uVms) * 180.0 / M_PI);
  return deg <= -180.0 ? deg + 360.0 : deg;
}

// The length of the net frontal vector over that of the absolute areas' vector: 1 when the wave
// is monophasic in both leads, near 0 when it is equiphasic in both (an indeterminate axis).
double NetToGrossRatio(const FrontalAreas& a) {
  const double gross = std::hypot(a.absolute_i_uVms, kAvfScale * a.absolute_avf_uVms);
  return gross > 0 ? std::hypot(a.net_i_uVms, kAvfScale * a.net_avf_uVms) / gross : 0.0;
}

// The present leads of a signal as a waveform group, for resampling.
WaveformGroup AsGroup(const EcgSignal& signal) {
  WaveformGroup group;
  group.sample_rate_hz = signal.sample_rate_hz();
  group.samples_per_channel = signal.samples_per_lead();
  for (Lead lead : AllLeads()) {
    if (signal.status(lead) != LeadStatus::kRecorded) continue;
    Channel channel;
    channel.lead = lead;
    channel.samples_uV.resize(signal.samples_per_lead());
    std::copy_n(signal.lead_uV(lead), signal.samples_per_lead(), channel.samples_uV.begin());
    group.channels.push_back(std::move(channel));
  }
  return group;
}

}  // namespace

const std::vector<std::string>& MeasurementFieldNames() {
  static const std::vector<std::string> names = {
      "heart_rate_bpm", "rr_ms",        "p_ms",          "pr_ms",
      "qrs_ms",         "qt_ms",        "qtc_bazett_ms", "qtc_fridericia_ms",
      "p_axis_deg",     "qrs_axis_deg", "t_axis_deg"};
  return names;
}

std::optional<double> MeasurementField(const EcgMeasurements& m, const std::string& name) {
  const std::vector<std::string>& names = MeasurementFieldNames();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return m.*(FieldMembers()[i]);
  }
  return std::nullopt;
}

void SetMeasurementField(EcgMeasurements& m, const std::string& name, std::optional<double> value) {
  const std::vector<std::string>& names = MeasurementFieldNames();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) m.*(FieldMembers()[i]) = value;
  }
}

EcgMeasurements MeasureEcg(const EcgSignal& signal, const MeasureOptions& options) {
  // Below 250 Hz the delineator works on the signal resampled to 500 Hz (band-limited), and
  // leaves out the boundaries that the source rate does not resolve.
  if (signal.sample_rate_hz() < kMinBoundaryRate_hz && signal.samples_per_lead() > 0 &&
      signal.mask().CountRecorded() > 0) {
    MeasureOptions resampled = options;
    resampled.source_sample_rate_hz =
        options.source_sample_rate_hz.value_or(signal.sample_rate_hz());
    try {
      return MeasureEcg(Canonicalise(AsGroup(signal)), resampled);
    } catch (const Error&) {
      // Leads Canonicalise does not accept (no I, II or precordial lead): measured as they are.
    }
  }
  EcgMeasurements m;
  MeasurementQuality& q = m.quality;
  const double rate = signal.sample_rate_hz();
  const Index n = static_cast<Index>(signal.samples_per_lead());
  q.leads_used = signal.mask().CountPresent();
  size_t independent = 0;
  for (Lead lead :
       {Lead::kI, Lead::kII, Lead::kV1, Lead::kV2, Lead::kV3, Lead::kV4, Lead::kV5, Lead::kV6}) {
    independent += signal.mask().present(lead) ? 1 : 0;
  }
  q.reduced_leads = independent < 8;
  const double source_rate = options.source_sample_rate_hz.value_or(rate);
  q.low_sample_rate = source_rate < kMinBoundaryRate_hz;
  if (q.leads_used == 0) {
    NullAll(m, "no lead present");
    return m;
  }
  if (n < 2 || !(rate > 0)) {
    NullAll(m, "signal too short to measure");
    return m;
  }
  double largest_range = 0;
  for (Lead lead : AllLeads()) {
    if (!signal.mask().present(lead)) continue;
    const auto [lo, hi] = std::minmax_element(signal.lead_uV(lead), signal.lead_uV(lead) + n);
    largest_range = std::max<double>(largest_range, *hi - *lo);
  }
  if (largest_range < kFlatRange_uV) {
    q.flat = true;
    NullAll(m, "flat line: no lead moves by 30 uV");
    return m;
  }

  const RhythmMeasurements rhythm = MeasureRhythm(signal);
  q.beats = rhythm.r_peaks.size();
  if (q.beats < 3) {
    NullAll(m, signal.duration_ms() < 2000
                   ? Format("signal too short (%.0f ms)", signal.duration_ms())
                   : "fewer than 3 beats found");
    return m;
  }
  const double rr = Median(rhythm.rr_intervals_ms);
  double mean_rr = 0, sum_sq = 0;
  for (size_t i = 0; i < rhythm.rr_intervals_ms.size(); ++i) {
    mean_rr += rhythm.rr_intervals_ms[i];
    if (i > 0) {
      const double d = rhythm.rr_intervals_ms[i] - rhythm.rr_intervals_ms[i - 1];
      sum_sq += d * d;
    }
  }
  mean_rr /= static_cast<double>(rhythm.rr_intervals_ms.size());
  if (rhythm.rr_intervals_ms.size() >= 3) {
    q.irregular_rr =
        std::sqrt(sum_sq / (rhythm.rr_intervals_ms.size() - 1)) / mean_rr > kIrregularRmssd;
  }

  MedianBeatOptions window;
  window.before_ms = std::min(400.0, std::max(200.0, 0.45 * rr));
  window.after_ms = std::min(700.0, std::max(400.0, 0.9 * rr));
  std::optional<EcgSignal> median = MedianBeat(signal, rhythm.r_peaks, window);
  const Index median_r = Samples(window.before_ms, rate);
  for (size_t r : rhythm.r_peaks) {
    const Index ri = static_cast<Index>(r);
    q.beats_in_median +=
        ri >= median_r && ri - median_r + Samples(window.before_ms + window.after_ms, rate) <= n
            ? 1
            : 0;
  }
  if (!median || q.beats_in_median < 2) {
    NullAll(m, "fewer than 2 whole beats for a median beat");
    return m;
  }
  m.median_r_index = static_cast<size_t>(median_r);
  q.beat_consistency =
      Consistency(signal, rhythm.r_peaks, *median, median_r, -Samples(50, rate), Samples(80, rate));
  if (q.beat_consistency < kMinConsistency) {
    q.noisy = true;
    NullAll(m, Format("beats do not resemble each other (consistency %.2f): noise or artefact",
                      q.beat_consistency));
    return m;
  }
  m.rr_ms = std::round(rr);
  m.heart_rate_bpm = std::round(60000.0 / rr);
  q.pacing_spikes = PacingSpikes(signal, rhythm.r_peaks);

  // Below 250 Hz at the source a lead's early slope is the resampling's ringing before the QRS,
  // not a wave: the lead-by-lead onset (version 4) and offset (version 5) are left out, QT keeps
  // version 3's onset.
  DelineationOptions delineation = options.delineation;
  if (q.low_sample_rate) {
    delineation.qrs_onset_lead_threshold = 0;
    delineation.qrs_offset_lead_threshold = 0;
  }
  m.boundaries = DelineateMedianBeat(*median, static_cast<size_t>(median_r), rr, delineation);
  if (!m.boundaries) {
    m.rhythm = q.pacing_spikes ? "paced" : "unknown";
    NullAll(m, "no QRS complex could be delimited on the median beat");
    return m;
  }
  const BeatBoundaries& b = *m.boundaries;
  const double ms_per_sample = 1000.0 / rate;
  const std::string low_rate_reason =
      Format("sampled at %.0f Hz (below 250 Hz): wave boundaries are not resolved", source_rate);

  // P wave: found in the median beat and recurring beat by beat.
  bool p_wave = false;
  if (b.p_onset) {
    const Index on = static_cast<Index>(*b.p_onset) - median_r;
    const Index off = static_cast<Index>(*b.p_offset) - median_r + 1;
    q.p_wave_consistent =
        LeaveOneOutConsistency(signal, rhythm.r_peaks, on, off) >= kMinPConsistency;
    p_wave = q.p_wave_consistent && !q.pacing_spikes;
  }
  if (q.pacing_spikes) {
    m.rhythm = "paced";
  } else if (p_wave) {
    m.rhythm = q.irregular_rr ? "sinus, irregular RR" : "sinus";
  } else {
    m.rhythm = q.irregular_rr ? "atrial fibrillation/flutter (no P wave)" : "regular, no P wave";
  }
  std::string no_p_reason;
  if (q.pacing_spikes) {
    no_p_reason = "paced rhythm: P wave not measured";
  } else if (!b.p_onset) {
    no_p_reason =
        Format("no P wave found (largest spatial deflection before QRS %.0f uV)", b.p_amplitude_uV);
  } else if (!p_wave) {
    no_p_reason = "no P wave recurring beat by beat (fibrillation or flutter waves, or noise)";
  }
  if (m.rhythm == "atrial fibrillation/flutter (no P wave)") {
    no_p_reason = "atrial fibrillation/flutter: irregular RR and " + no_p_reason;
  }

  // A recurring P wave whose boundaries span more than a P wave can is another wave (the
  // previous T, flutter waves, a pacing artefact) taken for it, or merged with it: no P
  // duration, PR or P axis from it. The rhythm label stays (the atrial activity recurs).
  bool p_boundaries = p_wave;
  if (p_wave) {
    const double p_span_ms = (*b.p_offset - *b.p_onset) * ms_per_sample;
    if (p_span_ms > kMaxPWave_ms) {
      p_boundaries = false;
      no_p_reason =
          Format("implausible P wave: its boundaries span %.0f ms, ", p_span_ms) +
          Format(
              "longer than a P wave lasts (%.0f ms); another wave is taken for it or merged "
              "with it",
              kMaxPWave_ms);
    }
  }
  if (p_boundaries && !q.low_sample_rate) {
    m.p_ms = std::round((*b.p_offset - *b.p_onset) * ms_per_sample);
    m.pr_ms = std::round((static_cast<double>(b.qrs_onset) - *b.p_onset) * ms_per_sample);
  } else {
    m.reasons["p_ms"] = m.reasons["pr_ms"] = p_boundaries ? low_rate_reason : no_p_reason;
  }
  if (q.low_sample_rate) {
    m.reasons["qrs_ms"] = low_rate_reason;
  } else {
    m.qrs_ms = std::round((static_cast<double>(b.qrs_offset) - b.qrs_onset) * ms_per_sample);
  }
  if (b.t_offset) {
    const double qt = (static_cast<double>(*b.t_offset) - b.qrs_onset) * ms_per_sample;
    m.qt_ms = std::round(qt);
    m.qtc_bazett_ms = std::round(qt / std::sqrt(rr / 1000.0));
    m.qtc_fridericia_ms = std::round(qt / std::cbrt(rr / 1000.0));
  } else {
    m.reasons["qt_ms"] = m.reasons["qtc_bazett_ms"] = m.reasons["qtc_fridericia_ms"] =
        "T wave end not found";
  }

  if (!signal.mask().present(Lead::kI) || !signal.mask().present(Lead::kAVF)) {
    NullAll(m, "frontal axes need leads I and aVF (or I and II)");
  } else {
    const FrontalAreas qrs = FrontalAreasOf(*median, b, b.qrs_onset, b.qrs_offset);
    const double qrs_net_ratio = NetToGrossRatio(qrs);
    if (qrs_net_ratio < kMinQrsNetToGross) {
      m.reasons["qrs_axis_deg"] = Format(
          "indeterminate: the QRS is equiphasic in leads I and aVF (net vector %.0f%% of its "
          "size)",
          100.0 * qrs_net_ratio);
    } else {
      m.qrs_axis_deg = FrontalAxis(qrs);
    }
    if (b.t_offset)
      m.t_axis_deg = FrontalAxis(FrontalAreasOf(*median, b, b.qrs_offset, *b.t_offset));
    if (p_boundaries)
      m.p_axis_deg = FrontalAxis(FrontalAreasOf(*median, b, *b.p_onset, *b.p_offset));
    if (!p_boundaries) m.reasons["p_axis_deg"] = no_p_reason;
    if (!b.t_offset) m.reasons["t_axis_deg"] = "T wave end not found";
    NullAll(m, "no net deflection in leads I and aVF");
  }
  return m;
}

}  // namespace ecg
