#include "learning/augment.h"

#include <torch/torch.h>

#include <cmath>

namespace ecg::learning {
namespace {

// Rows of the Dower and inverse Dower matrices are in this lead order: I, II, V1..V6.
const std::vector<int64_t> kIndependent = {0, 1, 6, 7, 8, 9, 10, 11};

torch::Tensor Uniform(std::vector<int64_t> shape, double low, double high,
                      const torch::TensorOptions& options) {
  return torch::rand(shape, options) * (high - low) + low;
}

torch::Tensor RotationAbout(const torch::Tensor& angle, int64_t axis) {
  const int64_t a = (axis + 1) % 3, b = (axis + 2) % 3;
  auto m = torch::eye(3, angle.options()).repeat({angle.size(0), 1, 1});
  auto c = angle.cos(), s = angle.sin();
  m.select(1, a).select(1, a).copy_(c);
  m.select(1, a).select(1, b).copy_(-s);
  m.select(1, b).select(1, a).copy_(s);
  m.select(1, b).select(1, b).copy_(c);
  return m;
}

// [B, 3, 3]: per-example diagonal scaling after rotations about X, Y and Z.
torch::Tensor RandomAxisTransform(int64_t batch, const AugmentOptions& o,
                                  const torch::TensorOptions& options) {
  const double bound = o.max_rotation_deg * M_PI / 180.0;
  auto m = torch::eye(3, options).repeat({batch, 1, 1});
  for (int64_t axis = 0; axis < 3; ++axis) {
    m = torch::bmm(RotationAbout(Uniform({batch}, -bound, bound, options), axis), m);
  }
  auto scale = Uniform({batch, 3}, 1.0 - o.axis_scale, 1.0 + o.axis_scale, options);
  return scale.unsqueeze(2) * m;
}

torch::Tensor IndexTensor(const torch::Tensor& like) {
  return torch::tensor(kIndependent,
                       torch::TensorOptions().dtype(torch::kLong).device(like.device()));
}

torch::Tensor Crop(const torch::Tensor& x, torch::Tensor* peaks, double fraction) {
  const int64_t batch = x.size(0), length = x.size(2);
  const auto opts = x.options();
  auto start = (torch::rand({batch, 1}, opts) * fraction * length).floor();
  auto end = length - (torch::rand({batch, 1}, opts) * fraction * length).floor();
  auto t = torch::arange(length, opts).unsqueeze(0);
  auto keep = ((t >= start) & (t < end)).unsqueeze(1);
  auto p = peaks->to(opts.dtype());
  *peaks = torch::where((p >= start) & (p < end), *peaks, torch::full_like(*peaks, -1));
  return x * keep.to(opts.dtype());
}

torch::Tensor TimeMask(const torch::Tensor& x, double ratio) {
  const int64_t length = x.size(2);
  const auto opts = x.options();
  const double window = std::floor(ratio * length);
  auto start = (torch::rand({x.size(0), x.size(1), 1}, opts) * (length - window)).floor();
  auto t = torch::arange(length, opts).view({1, 1, length});
  auto masked = (t >= start) & (t < start + window);
  return x * (~masked).to(opts.dtype());
}

torch::Tensor BaselineWander(const torch::Tensor& x, double amplitude_mV, double rate_hz) {
  const auto opts = x.options();
  const int64_t batch = x.size(0), leads = x.size(1), length = x.size(2);
  auto freq = Uniform({batch, leads, 1}, 0.05, 0.5, opts);
  auto phase = Uniform({batch, leads, 1}, 0.0, 2.0 * M_PI, opts);
  auto amp = Uniform({batch, leads, 1}, 0.0, amplitude_mV, opts);
  auto t = torch::arange(length, opts).view({1, 1, length}) / rate_hz;
  return x + amp * torch::sin(2.0 * M_PI * freq * t + phase);
}

}  // namespace

torch::Tensor DowerMatrix() {
  return torch::tensor({0.632f,  -0.235f, 0.059f,   // I
                        0.235f,  1.066f,  -0.132f,  // II
                        -0.515f, 0.157f,  -0.917f,  // V1
                        0.044f,  0.164f,  -1.387f,  // V2
                        0.882f,  0.098f,  -1.277f,  // V3
                        1.213f,  0.127f,  -0.601f,  // V4
                        1.125f,  0.127f,  -0.086f,  // V5
                        0.831f,  0.076f,  0.230f})  // V6
      .view({8, 3});
}

torch::Tensor InverseDowerMatrix() {
  return torch::tensor({0.156f,  -0.010f, -0.172f, -0.074f, 0.122f,  0.231f,  0.239f, 0.194f,   // X
                        -0.227f, 0.887f,  0.057f,  -0.019f, -0.106f, -0.022f, 0.041f, 0.048f,   // Y
                        0.022f,  0.102f,  -0.229f, -0.310f, -0.246f, -0.063f, 0.055f, 0.108f})  // Z
      .view({3, 8});
}

torch::Tensor DeriveLimbLeads(const torch::Tensor& signals_mV) {
  auto lead_i = signals_mV.select(1, 0), lead_ii = signals_mV.select(1, 1);
  auto out = signals_mV.clone();
  out.select(1, 2).copy_(lead_ii - lead_i);
  out.select(1, 3).copy_(-(lead_i + lead_ii) / 2);
  out.select(1, 4).copy_(lead_i - lead_ii / 2);
  out.select(1, 5).copy_(lead_ii - lead_i / 2);
  return out;
}

torch::Tensor ToVcg(const torch::Tensor& signals_mV) {
  auto independent = signals_mV.index_select(1, IndexTensor(signals_mV));
  return torch::matmul(InverseDowerMatrix().to(signals_mV.options()), independent);
}

torch::Tensor FromVcg(const torch::Tensor& vcg) {
  auto independent = torch::matmul(DowerMatrix().to(vcg.options()), vcg);
  auto out = torch::zeros({vcg.size(0), 12, vcg.size(2)}, vcg.options());
  out.index_copy_(1, IndexTensor(vcg), independent);
  return DeriveLimbLeads(out);
}

AugmentedBatch Augment(const torch::Tensor& signals_mV, const torch::Tensor& peaks, double rate_hz,
                       const AugmentOptions& o) {
  const auto opts = signals_mV.options();
  const int64_t batch = signals_mV.size(0);
  auto index = IndexTensor(signals_mV);
  auto x = signals_mV.index_select(1, index);  // [B, 8, T]
  if (o.vcg) {
    auto vcg = torch::matmul(InverseDowerMatrix().to(opts), x);
    auto delta = torch::bmm(RandomAxisTransform(batch, o, opts), vcg) - vcg;
    x = x + torch::matmul(DowerMatrix().to(opts), delta);
  }
  torch::Tensor out_peaks = peaks.clone();
  if (o.crop_fraction > 0) x = Crop(x, &out_peaks, o.crop_fraction);
  if (o.beat_dropout > 0) {
    auto drop = torch::rand(out_peaks.sizes(), opts) < o.beat_dropout;
    out_peaks = torch::where(drop, torch::full_like(out_peaks, -1), out_peaks);
  }
  if (o.amplitude_scale > 0) {
    x = x * Uniform({batch, 1, 1}, 1.0 - o.amplitude_scale, 1.0 + o.amplitude_scale, opts);
  }
  if (o.baseline_wander_mV > 0) x = BaselineWander(x, o.baseline_wander_mV, rate_hz);
  if (o.noise_mV > 0) x = x + torch::randn_like(x) * o.noise_mV;
  if (o.time_mask_ratio > 0) x = TimeMask(x, o.time_mask_ratio);
  auto out = torch::zeros_like(signals_mV);
  out.index_copy_(1, index, x);
  return {DeriveLimbLeads(out), out_peaks};
}

}  // namespace ecg::learning
