#include "learning/zero_block.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "learning/beats.h"
#include "learning/encoder.h"
#include "learning/model_zero.h"
#include "waveform/error.h"
#include "waveform/lead.h"

namespace ecg::learning {
namespace {

namespace F = torch::nn::functional;

constexpr int64_t kFactorTo500Hz = kModelSourceRate_hz / kModelZeroRate_hz;
constexpr size_t kFitBatchEcgs = 64;
// Size block: log(peak-to-peak / 1 mV) over 3 x its population spread, clamped to [-1, 1]; leads
// below kFlatLead_mV count as flat (0).
constexpr double kTypicalLogPeakToPeak = 0.0;
constexpr double kLogPeakToPeakScale = 3.0 * 0.6;
constexpr double kFlatLead_mV = 0.03;
// Wave block: amplitudes as asinh(x / kWaveScale_mV) / 3 (linear below 0.1 mV, logarithmic
// above: 1 mV gives 1.0); an axis needs a net area of kAxisMinimum_mV.
constexpr double kWaveScale_mV = 0.1;
constexpr double kAxisMinimum_mV = 0.02;
constexpr double kWidthThreshold = 0.15;  // of the spatial slope's peak
constexpr double kTypicalQrs_ms = 100.0;
constexpr double kQrsScale_ms = 50.0;

// Index of a time relative to R in a 100 Hz median beat (learning/beats.h).
int64_t BeatIndex(double ms_from_r) {
  return std::llround((kBeatBefore_ms + ms_from_r) * kModelZeroRate_hz / 1000.0);
}

// beats [B, L, S] from from_ms to to_ms after R, both included.
torch::Tensor Span(const torch::Tensor& beats, double from_ms, double to_ms) {
  const int64_t first = BeatIndex(from_ms);
  return beats.narrow(-1, first, BeatIndex(to_ms) - first + 1);
}

torch::Tensor Compress(const torch::Tensor& mV) {
  return torch::asinh(mV / kWaveScale_mV) / 3.0;
}

// Net areas [B, 12] (mV, mean over a span) -> [B, 2]: (cos, sin) of the frontal axis; zeros
// where lead I or aVF is flat (a single-lead recording has no axis) or the net area is too small.
torch::Tensor FrontalAxis(const torch::Tensor& area_mV, const torch::Tensor& lead_present) {
  const auto i = static_cast<int64_t>(Lead::kI), avf = static_cast<int64_t>(Lead::kAVF);
  auto x = area_mV.select(1, i);
  auto y = area_mV.select(1, avf) * (2.0 / std::sqrt(3.0));
  auto length = torch::sqrt(x * x + y * y);
  auto unit = torch::stack({x, y}, 1) / length.clamp_min(1e-6).unsqueeze(1);
  auto valid =
      (length >= kAxisMinimum_mV) & lead_present.select(1, i) & lead_present.select(1, avf);
  return torch::where(valid.unsqueeze(1), unit, torch::zeros_like(unit));
}

// [B, 12, S] -> [B, 1]: QRS width where the spatial slope (sum of the leads' |steps|) stays above
// kWidthThreshold of its peak, scaled; 0 for a flat beat.
torch::Tensor QrsWidth(const torch::Tensor& beats_mV) {
  const int64_t s = beats_mV.size(2);
  auto slope = (beats_mV.narrow(2, 1, s - 1) - beats_mV.narrow(2, 0, s - 1)).abs().sum(1);
  auto window = Span(slope, -120.0, 160.0);  // step i spans samples i and i + 1
  auto peak = std::get<0>(Span(slope, -60.0, 80.0).max(1, true));
  auto above = window > kWidthThreshold * peak;
  auto index = torch::arange(window.size(1), window.options()).unsqueeze(0).expand_as(window);
  auto first = std::get<0>(torch::where(above, index, torch::full_like(index, 1e9)).min(1));
  auto last = std::get<0>(torch::where(above, index, torch::full_like(index, -1.0)).max(1));
  auto width_ms = (last - first + 1.0) * (1000.0 / kModelZeroRate_hz);
  auto scaled = ((width_ms - kTypicalQrs_ms) / kQrsScale_ms).clamp(-2.0, 2.0);
  return torch::where(peak.squeeze(1) > 0.01, scaled, torch::zeros_like(scaled)).unsqueeze(1);
}

// The median beats of a model-rate batch at 100 Hz from all beats or from one parity of R peaks.
torch::Tensor ZeroBeats(const torch::Tensor& signals_100hz_mV, const torch::Tensor& peaks_100hz,
                        int parity) {
  auto peaks = peaks_100hz;
  if (parity >= 0) {
    auto index = torch::arange(peaks.size(1), peaks.options()).remainder(2);
    peaks = torch::where((index == parity).unsqueeze(0), peaks, torch::full_like(peaks, -1));
  }
  return MedianBeats(signals_100hz_mV.to(torch::kFloat), peaks, kModelZeroRate_hz);
}

torch::Tensor RhythmPeaks500Hz(const torch::Tensor& peaks_100hz) {
  return torch::where(peaks_100hz >= 0, peaks_100hz * kFactorTo500Hz, peaks_100hz);
}

torch::Tensor Outer(const torch::Tensor& rows) {
  auto x = rows.to(torch::kCPU, torch::kDouble);
  return x.t().mm(x);
}

void RequireFeatures(const torch::Tensor& t, const char* what) {
  if (t.dim() != 2 || t.size(1) != kModelZeroDimension) {
    throw Error::InvalidArgument(std::string("zero block: ") + what + " must be [N, " +
                                 std::to_string(kModelZeroDimension) + "]");
  }
}

}  // namespace

ZeroBlockStatistics::ZeroBlockStatistics() {
  const auto d = torch::TensorOptions().dtype(torch::kDouble);
  sum_ = torch::zeros({kModelZeroDimension}, d);
  outer_ = torch::zeros({kModelZeroDimension, kModelZeroDimension}, d);
  view_outer_ = torch::zeros_like(outer_);
  patient_outer_ = torch::zeros_like(outer_);
}

void ZeroBlockStatistics::Add(const torch::Tensor& features, const torch::Tensor& view_differences,
                              const torch::Tensor& patient_differences) {
  RequireFeatures(features, "features");
  RequireFeatures(view_differences, "view differences");
  ecgs_ += features.size(0);
  sum_ += features.to(torch::kCPU, torch::kDouble).sum(0);
  outer_ += Outer(features);
  views_ += view_differences.size(0);
  view_outer_ += Outer(view_differences);
  if (patient_differences.defined() && patient_differences.size(0) > 0) {
    RequireFeatures(patient_differences, "patient differences");
    patient_pairs_ += patient_differences.size(0);
    patient_outer_ += Outer(patient_differences);
  }
}

static_assert(kModelZeroDimension == 842, "learning/model_config.cc kZeroFeatures must follow");
static_assert(kZeroSizeFeatures == 12, "learning/model_config.cc kZeroSizeFeatures must follow");
static_assert(kZeroWaveFeatures == 65, "learning/model_config.cc kZeroWaveFeatures must follow");

ZeroBlockImpl::ZeroBlockImpl(int64_t dim, double model_zero_share, double size_share,
                             double wave_share)
    : model_zero_share_(model_zero_share), size_share_(size_share), wave_share_(wave_share) {
  mean_ = register_buffer("mean", torch::zeros({kModelZeroDimension}));
  basis_ = register_buffer("basis", torch::eye(kModelZeroDimension, dim));
}

torch::Tensor ZeroBlockImpl::forward(const torch::Tensor& signals_100hz_mV,
                                     const torch::Tensor& peaks_100hz) {
  torch::NoGradGuard no_grad;
  auto beats = ZeroBeats(signals_100hz_mV, peaks_100hz, -1);
  auto features = ModelZeroFromBeats(beats, RhythmPeaks500Hz(peaks_100hz));
  auto whitened = Whiten(features);
  auto block = model_zero_share_ <= 0.0
                   ? whitened
                   : torch::cat({std::sqrt(model_zero_share_) * features,
                                 std::sqrt(1.0 - model_zero_share_) * whitened},
                                1);
  if (size_share_ <= 0.0 && wave_share_ <= 0.0) return block;
  // The size and wave blocks keep their length (a typical amplitude is short, an extreme one
  // long), so the whole is normalised once more.
  std::vector<torch::Tensor> parts = {std::sqrt(1.0 - size_share_ - wave_share_) * block};
  if (size_share_ > 0.0) parts.push_back(std::sqrt(size_share_) * SizeFeatures(beats));
  if (wave_share_ > 0.0) parts.push_back(std::sqrt(wave_share_) * WaveFeatures(beats));
  return F::normalize(torch::cat(parts, 1), F::NormalizeFuncOptions().dim(1));
}

torch::Tensor ZeroBlockImpl::Whiten(const torch::Tensor& features) const {
  return F::normalize(torch::matmul(features - mean_, basis_), F::NormalizeFuncOptions().dim(1));
}

void ZeroBlockImpl::Fit(const ZeroBlockStatistics& s, double shrinkage, double patient_weight) {
  if (s.ecgs_ < 2 || s.views_ < 1) {
    throw Error::InvalidArgument("zero block: fit needs at least 2 ECGs and 1 view pair, got " +
                                 std::to_string(s.ecgs_) + " and " + std::to_string(s.views_));
  }
  torch::NoGradGuard no_grad;
  const auto n = static_cast<double>(s.ecgs_);
  auto mean = s.sum_ / n;
  auto total = (s.outer_ - n * torch::outer(mean, mean)) / (n - 1.0);
  // A difference of two views has twice the variance of one view's nuisance.
  auto within = s.view_outer_ / (2.0 * static_cast<double>(s.views_));
  if (s.patient_pairs_ > 0) {
    within = (1.0 - patient_weight) * within +
             patient_weight * s.patient_outer_ / (2.0 * static_cast<double>(s.patient_pairs_));
  }
  const int64_t d = kModelZeroDimension;
  const double average = within.trace().item<double>() / static_cast<double>(d);
  within = (1.0 - shrinkage) * within +
           shrinkage * std::max(average, 1e-12) * torch::eye(d, within.options());
  auto [values, vectors] = torch::linalg::eigh(within, "L");
  auto inverse_root = vectors.mm(torch::diag(values.clamp_min(1e-12).rsqrt())).mm(vectors.t());
  auto ratio = std::get<1>(torch::linalg::eigh(inverse_root.mm(total).mm(inverse_root), "L"));
  const int64_t dim = std::min<int64_t>(basis_.size(1), d);
  auto top = ratio.flip({1}).narrow(1, 0, dim);  // largest total / within ratio first
  auto basis = torch::zeros_like(basis_, torch::kCPU);
  basis.narrow(1, 0, dim).copy_(inverse_root.mm(top).to(torch::kFloat));
  mean_.copy_(mean.to(torch::kFloat));
  basis_.copy_(basis);
}

void ZeroBlockImpl::CopyFrom(const ZeroBlockImpl& other) {
  torch::NoGradGuard no_grad;
  mean_.copy_(other.mean_);
  basis_.copy_(other.basis_);
}

torch::Tensor ZeroFeatures(const torch::Tensor& signals_100hz_mV, const torch::Tensor& peaks_100hz,
                           int parity) {
  torch::NoGradGuard no_grad;
  return ModelZeroFromBeats(ZeroBeats(signals_100hz_mV, peaks_100hz, parity),
                            RhythmPeaks500Hz(peaks_100hz));
}

torch::Tensor SizeFeatures(const torch::Tensor& beats_mV) {
  torch::NoGradGuard no_grad;
  auto beats = beats_mV.to(torch::kFloat);
  auto peak_to_peak = std::get<0>(beats.max(2)) - std::get<0>(beats.min(2));
  auto size =
      ((peak_to_peak.clamp_min(kFlatLead_mV).log() - kTypicalLogPeakToPeak) / kLogPeakToPeakScale)
          .clamp(-1.0, 1.0);
  return torch::where(peak_to_peak < kFlatLead_mV, torch::zeros_like(size), size);
}

torch::Tensor WaveFeatures(const torch::Tensor& beats_mV) {
  torch::NoGradGuard no_grad;
  auto beats = beats_mV.to(torch::kFloat);
  auto qrs = Span(beats, -60.0, 80.0);
  auto t_wave = Span(beats, 160.0, 420.0);
  auto t_peak = t_wave.gather(2, t_wave.abs().argmax(2, true)).squeeze(2);
  auto qrs_area = qrs.mean(2);
  auto present = (std::get<0>(beats.max(2)) - std::get<0>(beats.min(2))) >= kFlatLead_mV;
  auto per_lead = torch::stack({std::get<0>(qrs.max(2)), std::get<0>(qrs.min(2)), qrs_area,
                                Span(beats, 80.0, 120.0).mean(2), t_peak},
                               2);  // [B, 12, 5]
  auto features = torch::cat({Compress(per_lead).flatten(1), FrontalAxis(qrs_area, present),
                              FrontalAxis(t_wave.mean(2), present), QrsWidth(beats)},
                             1);
  return features / std::sqrt(kZeroWaveFeatures / 4.0);
}

void FitZeroBlock(EcgModelImpl& model, EcgDataset& data, const std::vector<size_t>& patients,
                  size_t max_ecgs) {
  const ModelConfig& config = model.config();
  if (config.zero_block_dim == 0) return;
  ZeroBlockStatistics statistics;
  std::vector<PreparedEcg> prepared;
  std::vector<int64_t> previous_same_patient;  // row of the patient's previous ECG, or -1
  size_t loaded = 0;
  auto flush = [&] {
    if (prepared.empty()) return;
    EcgBatch batch = StackBatch(prepared, config);
    ModelInput input = model.Prepare(batch.signals_mV, batch.peaks);
    auto full = ZeroFeatures(input.signals_mV, input.peaks);
    auto views = ZeroFeatures(input.signals_mV, input.peaks, 1) -
                 ZeroFeatures(input.signals_mV, input.peaks, 0);
    std::vector<int64_t> later, earlier;
    for (size_t i = 0; i < previous_same_patient.size(); ++i) {
      if (previous_same_patient[i] < 0) continue;
      later.push_back(static_cast<int64_t>(i));
      earlier.push_back(previous_same_patient[i]);
    }
    torch::Tensor pairs;
    if (!later.empty()) {
      pairs =
          full.index_select(0, torch::tensor(later)) - full.index_select(0, torch::tensor(earlier));
    }
    statistics.Add(full, views, pairs);
    prepared.clear();
    previous_same_patient.clear();
  };
  for (size_t p : patients) {
    const auto& ecgs = data.patient_ecgs(p);
    if (loaded >= max_ecgs) break;
    if (prepared.size() + ecgs.size() > kFitBatchEcgs) flush();  // a patient stays in one batch
    for (size_t k = 0; k < ecgs.size() && loaded < max_ecgs; ++k, ++loaded) {
      previous_same_patient.push_back(k == 0 ? -1 : static_cast<int64_t>(prepared.size()) - 1);
      prepared.push_back(data.Load(ecgs[k], config));
    }
  }
  flush();
  model.encoder->zero_block()->Fit(statistics, config.zero_block_shrinkage,
                                   config.zero_block_patient_weight);
}

}  // namespace ecg::learning
