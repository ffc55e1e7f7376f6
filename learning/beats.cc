#include "learning/beats.h"

#include <torch/torch.h>

#include <cmath>

namespace ecg::learning {
int64_t BeatSamples(int64_t rate_hz) {
  return static_cast<int64_t>(std::lround((kBeatBefore_ms + kBeatAfter_ms) * rate_hz / 1000.0));
}

torch::Tensor MedianBeats(const torch::Tensor& signals, const torch::Tensor& peaks,
                          int64_t rate_hz) {
  const int64_t batch = signals.size(0), leads = signals.size(1), length = signals.size(2);
  const int64_t before = std::lround(kBeatBefore_ms * rate_hz / 1000.0);
  const int64_t window = BeatSamples(rate_hz);
  const int64_t beats = peaks.size(1);
  auto offsets = torch::arange(-before, window - before, peaks.options());
  auto index = peaks.unsqueeze(2) + offsets;                               // [B, K, W]
  auto valid = (peaks >= before) & (peaks + (window - before) <= length);  // [B, K]
  index = index.clamp(0, length - 1);
  auto gathered = signals.unsqueeze(2)
                      .expand({batch, leads, beats, length})
                      .gather(3, index.unsqueeze(1).expand({batch, leads, beats, window}));
  auto nan = torch::full({}, std::nan(""), gathered.options());
  gathered = torch::where(valid.view({batch, 1, beats, 1}), gathered, nan);
  auto median = std::get<0>(gathered.nanmedian(2));  // [B, L, W]
  median = torch::nan_to_num(median, 0.0, 0.0, 0.0);
  const int64_t pr_from = before - std::lround(80.0 * rate_hz / 1000.0);
  const int64_t pr_to = std::max(pr_from + 1, before - std::lround(50.0 * rate_hz / 1000.0));
  auto level = median.slice(2, pr_from, pr_to).mean(2, /*keepdim=*/true);
  return median - level;
}

}  // namespace ecg::learning
