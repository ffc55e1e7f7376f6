#include "learning/objectives.h"

#include <torch/torch.h>

#include <cmath>

#include "waveform/error.h"

namespace ecg::learning {
namespace {

namespace F = torch::nn::functional;

void Require(bool ok, const std::string& what) {
  if (!ok) throw Error::InvalidArgument("objectives config: " + what);
}

// [B, 12, T] float mask, 1 where masked: one window per lead plus whole leads.
torch::Tensor RandomSignalMask(const torch::Tensor& x, const ObjectiveOptions& o) {
  const int64_t batch = x.size(0), leads = x.size(1), length = x.size(2);
  const auto opts = x.options();
  const double window = std::floor(o.mask_segment_ratio * length);
  auto start = (torch::rand({batch, leads, 1}, opts) * (length - window)).floor();
  auto t = torch::arange(length, opts).view({1, 1, length});
  auto segment = (t >= start) & (t < start + window);
  auto whole = (torch::rand({batch, leads, 1}, opts) < o.mask_lead_probability);
  return (segment | whole).to(opts.dtype());
}

torch::Tensor MaskedMse(const torch::Tensor& prediction, const torch::Tensor& target,
                        const torch::Tensor& weight) {
  return ((prediction - target).pow(2) * weight).sum() / weight.sum().clamp_min(1.0);
}

torch::Tensor PresentWeight(const PairBatch& batch, const torch::Tensor& like) {
  return batch.a.lead_present.to(like.options()).unsqueeze(2).expand_as(like);
}

torch::Tensor MaskedLoss(EcgModel& model, const ModelInput& input, const PairBatch& batch,
                         const ObjectiveOptions& o) {
  auto mask = RandomSignalMask(input.signals_mV, o);
  ModelInput masked{input.signals_mV * (1 - mask), input.peaks};
  auto features = model->Encode(masked).features;
  auto prediction = model->masked_decoder->forward(features, input.signals_mV.size(2));
  return MaskedMse(prediction, input.signals_mV, mask * PresentWeight(batch, mask));
}

torch::Tensor LeadLoss(EcgModel& model, const ModelInput& input, const PairBatch& batch,
                       const ObjectiveOptions& o) {
  const double rate = static_cast<double>(model->config().input_rate_hz);
  const bool high_pass = o.lead_highpass_hz > 0;
  auto signals = input.signals_mV;
  auto target = signals;
  if (high_pass) {
    torch::NoGradGuard no_grad;  // the whole window, as the evaluation filters it
    target = HighPass(signals, rate, o.lead_highpass_hz);
  }
  const int64_t length = signals.size(2);
  const int64_t crop =
      o.lead_crop_s > 0 ? std::min<int64_t>(length, std::lround(o.lead_crop_s * rate)) : length;
  if (crop < length) {
    const int64_t start = torch::randint(0, length - crop + 1, {1}).item<int64_t>();
    signals = signals.narrow(2, start, crop);
    target = target.narrow(2, start, crop);
  }
  auto prediction = model->ReconstructLeads(signals);
  if (high_pass) prediction = HighPass(prediction, rate, o.lead_highpass_hz);
  return MaskedMse(prediction, target, PresentWeight(batch, prediction));
}

std::optional<torch::Tensor> LongitudinalLoss(EcgModel& model, const torch::Tensor& ea,
                                              const torch::Tensor& eb, const PairBatch& batch) {
  auto valid = batch.timed_pair.to(ea.device());
  if (valid.sum().item<int64_t>() == 0) return std::nullopt;
  auto rows = valid.nonzero().squeeze(1);
  auto prediction =
      model->longitudinal->forward(ea.index_select(0, rows), eb.index_select(0, rows));
  auto gap_days = batch.gap_days.to(ea.device()).index_select(0, rows);
  auto gap_loss = F::mse_loss(prediction.log_gap_days, torch::log1p(gap_days.abs()));
  auto order = (gap_days > 0).to(ea.dtype());
  auto order_loss = F::binary_cross_entropy_with_logits(prediction.order_logit, order);
  return gap_loss + order_loss;
}

}  // namespace

nlohmann::json ObjectiveOptions::ToJson() const {
  const AugmentOptions& a = fingerprint_augment;
  return {{"fingerprint_weight", fingerprint_weight},
          {"masked_weight", masked_weight},
          {"lead_weight", lead_weight},
          {"longitudinal_weight", longitudinal_weight},
          {"temperature", temperature},
          {"mask_segment_ratio", mask_segment_ratio},
          {"mask_lead_probability", mask_lead_probability},
          {"lead_highpass_hz", lead_highpass_hz},
          {"lead_crop_s", lead_crop_s},
          {"fingerprint_augment",
           {{"vcg", a.vcg},
            {"max_rotation_deg", a.max_rotation_deg},
            {"axis_scale", a.axis_scale},
            {"crop_fraction", a.crop_fraction},
            {"amplitude_scale", a.amplitude_scale},
            {"baseline_wander_mV", a.baseline_wander_mV},
            {"noise_mV", a.noise_mV},
            {"time_mask_ratio", a.time_mask_ratio},
            {"beat_dropout", a.beat_dropout}}}};
}

ObjectiveOptions ObjectiveOptions::FromJson(const nlohmann::json& json) {
  Require(json.is_object(), "expected a JSON object");
  ObjectiveOptions o;
  const nlohmann::json defaults = o.ToJson();
  for (const auto& [key, value] : json.items()) {
    Require(defaults.contains(key), "unknown key '" + key + "'");
    if (key == "fingerprint_augment") {
      Require(value.is_object(), "fingerprint_augment must be an object");
      for (const auto& [akey, avalue] : value.items()) {
        Require(defaults[key].contains(akey), "unknown key 'fingerprint_augment." + akey + "'");
      }
    }
  }
  nlohmann::json merged = defaults;
  merged.merge_patch(json);
  try {
    o.fingerprint_weight = merged["fingerprint_weight"].get<double>();
    o.masked_weight = merged["masked_weight"].get<double>();
    o.lead_weight = merged["lead_weight"].get<double>();
    o.longitudinal_weight = merged["longitudinal_weight"].get<double>();
    o.temperature = merged["temperature"].get<double>();
    o.mask_segment_ratio = merged["mask_segment_ratio"].get<double>();
    o.mask_lead_probability = merged["mask_lead_probability"].get<double>();
    o.lead_highpass_hz = merged["lead_highpass_hz"].get<double>();
    o.lead_crop_s = merged["lead_crop_s"].get<double>();
    const auto& a = merged["fingerprint_augment"];
    o.fingerprint_augment.vcg = a["vcg"].get<bool>();
    o.fingerprint_augment.max_rotation_deg = a["max_rotation_deg"].get<double>();
    o.fingerprint_augment.axis_scale = a["axis_scale"].get<double>();
    o.fingerprint_augment.crop_fraction = a["crop_fraction"].get<double>();
    o.fingerprint_augment.amplitude_scale = a["amplitude_scale"].get<double>();
    o.fingerprint_augment.baseline_wander_mV = a["baseline_wander_mV"].get<double>();
    o.fingerprint_augment.noise_mV = a["noise_mV"].get<double>();
    o.fingerprint_augment.time_mask_ratio = a["time_mask_ratio"].get<double>();
    o.fingerprint_augment.beat_dropout = a["beat_dropout"].get<double>();
  } catch (const nlohmann::json::exception& e) {
    Require(false, std::string("wrong value type: ") + e.what());
  }
  Require(o.fingerprint_weight >= 0 && o.masked_weight >= 0 && o.lead_weight >= 0 &&
              o.longitudinal_weight >= 0,
          "weights must be >= 0");
  Require(o.fingerprint_weight + o.masked_weight + o.lead_weight + o.longitudinal_weight > 0,
          "at least one objective must have a positive weight");
  Require(o.temperature > 0, "temperature must be > 0");
  Require(o.lead_highpass_hz >= 0, "lead_highpass_hz must be >= 0");
  Require(o.lead_crop_s >= 0, "lead_crop_s must be >= 0");
  Require(o.mask_segment_ratio >= 0 && o.mask_segment_ratio < 1,
          "mask_segment_ratio must be within [0, 1)");
  Require(o.fingerprint_augment.time_mask_ratio >= 0 && o.fingerprint_augment.time_mask_ratio < 1,
          "fingerprint_augment.time_mask_ratio must be within [0, 1)");
  Require(o.fingerprint_augment.beat_dropout >= 0 && o.fingerprint_augment.beat_dropout < 1,
          "fingerprint_augment.beat_dropout must be within [0, 1)");
  return o;
}

torch::Tensor HighPass(const torch::Tensor& x, double rate_hz, double cutoff_hz) {
  const int64_t n = x.size(-1);
  auto spectrum = torch::fft::rfft(x);
  const auto cut = static_cast<int64_t>(std::ceil(cutoff_hz * n / rate_hz));
  const int64_t bins = spectrum.size(-1);
  auto keep = (torch::arange(bins, x.options().dtype(torch::kLong)) >= cut).to(x.scalar_type());
  return torch::fft::irfft(spectrum * keep, n);
}

torch::Tensor InfoNce(const torch::Tensor& a, const torch::Tensor& b, double temperature) {
  auto logits = torch::matmul(a, b.t()) / temperature;
  auto target =
      torch::arange(a.size(0), torch::TensorOptions().dtype(torch::kLong).device(a.device()));
  return (F::cross_entropy(logits, target) + F::cross_entropy(logits.t(), target)) / 2;
}

LossTerms ComputeLosses(EcgModel& model, const PairBatch& batch, const ObjectiveOptions& o) {
  const double rate = static_cast<double>(model->config().input_rate_hz);
  auto a = model->Prepare(batch.a.signals_mV, batch.a.peaks);
  LossTerms terms;
  terms.total = torch::zeros({}, a.signals_mV.options());
  auto add = [&](const std::string& name, double weight, const torch::Tensor& loss) {
    terms.values[name] = loss.item<double>();
    terms.total = terms.total + weight * loss;
  };
  if (o.NeedsPairs()) {
    auto b = model->Prepare(batch.b.signals_mV, batch.b.peaks);
    AugmentedBatch va, vb;
    {
      torch::NoGradGuard no_grad;
      va = Augment(a.signals_mV, a.peaks, rate, o.fingerprint_augment);
      vb = Augment(b.signals_mV, b.peaks, rate, o.fingerprint_augment);
    }
    auto ea = model->Encode({va.signals_mV, va.peaks}).embedding;
    auto eb = model->Encode({vb.signals_mV, vb.peaks}).embedding;
    if (o.fingerprint_weight > 0) {
      add("fingerprint", o.fingerprint_weight,
          InfoNce(model->Project(ea), model->Project(eb), o.temperature));
    }
    if (o.longitudinal_weight > 0) {
      if (auto loss = LongitudinalLoss(model, ea, eb, batch)) {
        add("longitudinal", o.longitudinal_weight, *loss);
      }
    }
  }
  if (o.masked_weight > 0) add("masked", o.masked_weight, MaskedLoss(model, a, batch, o));
  if (o.lead_weight > 0) add("lead", o.lead_weight, LeadLoss(model, a, batch, o));
  return terms;
}

}  // namespace ecg::learning
