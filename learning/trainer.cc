#include "learning/trainer.h"

#include <ATen/autocast_mode.h>
#include <spdlog/spdlog.h>
#include <torch/version.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "learning/device.h"
#include "learning/model_dir.h"
#include "waveform/error.h"

namespace ecg::learning {
namespace {

void Require(bool ok, const std::string& what) {
  if (!ok) throw Error::InvalidArgument("train config: " + what);
}

uint64_t StepSeed(uint64_t seed, int64_t step) {
  uint64_t x = seed * 0x9e3779b97f4a7c15ULL + static_cast<uint64_t>(step) + 1;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  return x ^ (x >> 31);
}

void SetAutocast(bool enabled) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
  at::autocast::set_autocast_enabled(at::kCUDA, enabled);
#else
  at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
  at::autocast::set_enabled(enabled);
#endif
  if (!enabled) at::autocast::clear_cache();
}

// Mixed precision for the scope, on CUDA only; CPU paths never touch autocast.
class AutocastScope {
 public:
  explicit AutocastScope(bool enabled) : enabled_(enabled) {
    if (enabled_) SetAutocast(true);
  }
  ~AutocastScope() {
    if (enabled_) SetAutocast(false);
  }

 private:
  bool enabled_;
};

void Accumulate(std::map<std::string, double>* sums, const std::map<std::string, double>& add) {
  for (const auto& [k, v] : add) (*sums)[k] += v;
}

std::map<std::string, double> Divide(std::map<std::string, double> sums, double n) {
  for (auto& [k, v] : sums) v /= n;
  return sums;
}

std::string FormatProgress(const TrainProgress& p) {
  std::string losses;
  for (const auto& [k, v] : p.losses) losses += " " + k + "=" + fmt::format("{:.4f}", v);
  return fmt::format("step {}/{} ({:.0f}%) {:.2f} steps/s {:.0f} ECG/s{} ETA {:.0f}s", p.step,
                     p.total_steps, 100.0 * p.step / std::max<int64_t>(1, p.total_steps),
                     p.steps_per_s, p.ecg_per_s, losses, p.eta_s);
}

}  // namespace

nlohmann::json TrainOptions::ToJson() const {
  return {{"steps", steps},
          {"epochs", epochs},
          {"batch_patients", batch_patients},
          {"learning_rate", learning_rate},
          {"lr_schedule", lr_schedule},
          {"weight_decay", weight_decay},
          {"seed", seed},
          {"device", device},
          {"cpu_threads", cpu_threads},
          {"validation_fraction", validation_fraction},
          {"validation_batches", validation_batches},
          {"log_every", log_every},
          {"checkpoint_every", checkpoint_every},
          {"mixed_precision", mixed_precision},
          {"max_minutes", max_minutes}};
}

TrainOptions TrainOptions::FromJson(const nlohmann::json& json) {
  Require(json.is_object(), "\"train\" must be an object");
  TrainOptions o;
  nlohmann::json merged = o.ToJson();
  for (const auto& [key, value] : json.items()) {
    Require(merged.contains(key), "unknown key 'train." + key + "'");
  }
  merged.merge_patch(json);
  try {
    o.steps = merged["steps"].get<int64_t>();
    o.epochs = merged["epochs"].get<int64_t>();
    o.batch_patients = merged["batch_patients"].get<int64_t>();
    o.learning_rate = merged["learning_rate"].get<double>();
    o.lr_schedule = merged["lr_schedule"].get<std::string>();
    o.weight_decay = merged["weight_decay"].get<double>();
    o.seed = merged["seed"].get<uint64_t>();
    o.device = merged["device"].get<std::string>();
    o.cpu_threads = merged["cpu_threads"].get<int>();
    o.validation_fraction = merged["validation_fraction"].get<double>();
    o.validation_batches = merged["validation_batches"].get<int64_t>();
    o.log_every = merged["log_every"].get<int64_t>();
    o.checkpoint_every = merged["checkpoint_every"].get<int64_t>();
    o.mixed_precision = merged["mixed_precision"].get<bool>();
    o.max_minutes = merged["max_minutes"].get<double>();
  } catch (const nlohmann::json::exception& e) {
    Require(false, std::string("wrong value type: ") + e.what());
  }
  Require(o.steps >= 0 && o.epochs >= 0, "steps and epochs must be >= 0");
  Require(o.batch_patients >= 2, "batch_patients must be >= 2 (negatives need other patients)");
  Require(o.learning_rate > 0, "learning_rate must be > 0");
  Require(o.lr_schedule == "constant" || o.lr_schedule == "cosine",
          "lr_schedule must be \"constant\" or \"cosine\"");
  Require(o.cpu_threads >= 1, "cpu_threads must be >= 1");
  Require(o.validation_fraction >= 0 && o.validation_fraction < 1,
          "validation_fraction must be within [0, 1)");
  Require(o.log_every >= 1, "log_every must be >= 1");
  return o;
}

nlohmann::json TrainingConfig::ToJson() const {
  return {
      {"model", model.ToJson()}, {"objectives", objectives.ToJson()}, {"train", train.ToJson()}};
}

TrainingConfig TrainingConfig::FromJson(const nlohmann::json& json) {
  Require(json.is_object(), "expected a JSON object");
  TrainingConfig c;
  for (const auto& [key, value] : json.items()) {
    if (key == "model")
      c.model = ModelConfig::FromJson(value);
    else if (key == "objectives")
      c.objectives = ObjectiveOptions::FromJson(value);
    else if (key == "train")
      c.train = TrainOptions::FromJson(value);
    else
      Require(false, "unknown top-level key '" + key + "'");
  }
  return c;
}

TrainingConfig TrainingConfig::Load(const std::string& path) {
  try {
    return FromJson(ReadJsonFile(path));
  } catch (const Error& e) {
    if (!e.IsInvalidArgument()) throw;
    throw Error::InvalidArgument("'" + path + "': " + e.what());
  }
}

Trainer::Trainer(const TrainingConfig& config, EcgDataset& data, std::string out_dir)
    : config_(config),
      data_(data),
      out_dir_(std::move(out_dir)),
      device_(ResolveDevice(config.train.device)) {
  const TrainOptions& t = config_.train;
  if (device_.is_cpu()) SetCpuThreads(t.cpu_threads);
  split_ = data_.SplitPatients(t.validation_fraction, t.seed);
  if (split_.train.size() < 2) {
    throw Error::InvalidArgument("training split holds " + std::to_string(split_.train.size()) +
                                 " patients; at least 2 are needed");
  }
  total_steps_ = t.epochs > 0
                     ? std::max<int64_t>(1, t.epochs * static_cast<int64_t>(split_.train.size()) /
                                                t.batch_patients)
                     : t.steps;
  torch::manual_seed(t.seed);
  model_ = EcgModel(config_.model);
  FitBeatBlock(*model_, data_, split_.train);
  FitZeroBlock(*model_, data_, split_.train);
  model_->to(device_);
  optimizer_ = std::make_unique<torch::optim::AdamW>(
      model_->parameters(),
      torch::optim::AdamWOptions(t.learning_rate).weight_decay(t.weight_decay));
}

bool Trainer::Resume() {
  namespace fs = std::filesystem;
  const fs::path dir(checkpoint_dir());
  if (!fs::exists(dir / "state.json")) return false;
  const nlohmann::json state = ReadJsonFile((dir / "state.json").string());
  try {
    torch::load(model_, (dir / "model.pt").string());
    torch::load(*optimizer_, (dir / "optimizer.pt").string());
  } catch (const c10::Error& e) {
    throw Error::Corruption("checkpoint '" + dir.string() +
                            "' does not fit this config: " + e.what());
  }
  model_->to(device_);
  step_ = state.at("step").get<int64_t>();
  spdlog::info("resumed training from step {} ({})", step_, dir.string());
  return true;
}

void Trainer::SaveCheckpoint() {
  namespace fs = std::filesystem;
  const fs::path dir(checkpoint_dir());
  fs::create_directories(dir);
  torch::save(model_, (dir / "model.pt.tmp").string());
  torch::save(*optimizer_, (dir / "optimizer.pt.tmp").string());
  fs::rename(dir / "model.pt.tmp", dir / "model.pt");
  fs::rename(dir / "optimizer.pt.tmp", dir / "optimizer.pt");
  WriteJsonFile((dir / "state.json").string(), {{"step", step_}, {"config", config_.ToJson()}});
}

PairBatch Trainer::ToDevice(PairBatch b) const {
  if (device_.is_cpu()) return b;
  for (EcgBatch* e : {&b.a, &b.b}) {
    if (!e->signals_mV.defined()) continue;  // single ECGs: b is empty
    e->signals_mV = e->signals_mV.to(device_, /*non_blocking=*/true);
    e->peaks = e->peaks.to(device_);
    e->lead_present = e->lead_present.to(device_);
  }
  return b;
}

PairBatch Trainer::Sample(const std::vector<size_t>& patients, std::mt19937_64& rng) {
  const auto count = static_cast<size_t>(config_.train.batch_patients);
  if (config_.objectives.NeedsPairs()) {
    return ToDevice(data_.SamplePairs(patients, count, config_.model, rng));
  }
  PairBatch batch;
  batch.a = data_.SampleEcgs(patients, count, config_.model, rng);
  return ToDevice(std::move(batch));
}

int64_t Trainer::EcgsPerStep() const {
  const int64_t patients =
      std::min<int64_t>(config_.train.batch_patients, static_cast<int64_t>(split_.train.size()));
  return (config_.objectives.NeedsPairs() ? 2 : 1) * patients;
}

double Trainer::LearningRate(int64_t step) const {
  const TrainOptions& t = config_.train;
  if (t.lr_schedule != "cosine" || total_steps_ <= 1) return t.learning_rate;
  const double progress = static_cast<double>(step) / static_cast<double>(total_steps_ - 1);
  return t.learning_rate * 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, progress)));
}

std::map<std::string, double> Trainer::TrainStep() {
  const uint64_t seed = StepSeed(config_.train.seed, step_);
  std::mt19937_64 rng(seed);
  torch::manual_seed(seed);
  model_->train();
  for (auto& group : optimizer_->param_groups()) {
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(LearningRate(step_));
  }
  PairBatch batch = Sample(split_.train, rng);
  LossTerms terms;
  {
    AutocastScope autocast(device_.is_cuda() && config_.train.mixed_precision);
    terms = ComputeLosses(model_, batch, config_.objectives);
  }
  optimizer_->zero_grad();
  terms.total.backward();
  optimizer_->step();
  ++step_;
  terms.values["total"] = terms.total.item<double>();
  return terms.values;
}

std::map<std::string, double> Trainer::Evaluate() {
  if (split_.validation.size() < 2) return {};
  torch::NoGradGuard no_grad;
  model_->eval();
  std::map<std::string, double> sums;
  const int64_t n = std::max<int64_t>(1, config_.train.validation_batches);
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t seed = StepSeed(config_.train.seed ^ 0x5eedULL, i);
    std::mt19937_64 rng(seed);
    torch::manual_seed(seed);
    PairBatch batch = Sample(split_.validation, rng);
    LossTerms terms = ComputeLosses(model_, batch, config_.objectives);
    terms.values["total"] = terms.total.item<double>();
    Accumulate(&sums, terms.values);
  }
  return Divide(sums, static_cast<double>(n));
}

TrainResult Trainer::Run(const ProgressCallback& callback) {
  using Clock = std::chrono::steady_clock;
  const TrainOptions& t = config_.train;
  const auto start = Clock::now();
  auto last = start;
  int64_t last_step = step_;
  const int64_t first_step = step_;
  std::map<std::string, double> sums;
  TrainResult result;
  spdlog::info("training on {} ({} ECGs, {} train / {} validation patients), {} steps",
               device_.str(), data_.ecg_count(), split_.train.size(), split_.validation.size(),
               total_steps_);
  while (step_ < total_steps_) {
    Accumulate(&sums, TrainStep());
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const bool out_of_time = t.max_minutes > 0 && elapsed > 60.0 * t.max_minutes;
    if (step_ % t.log_every == 0 || step_ == total_steps_ || out_of_time) {
      const auto now = Clock::now();
      const double interval = std::chrono::duration<double>(now - last).count();
      TrainProgress p;
      p.step = step_;
      p.total_steps = total_steps_;
      p.elapsed_s = elapsed;
      p.steps_per_s = (step_ - last_step) / std::max(1e-9, interval);
      p.ecg_per_s = p.steps_per_s * static_cast<double>(EcgsPerStep());
      p.eta_s = (total_steps_ - step_) / std::max(1e-9, p.steps_per_s);
      p.losses = Divide(sums, static_cast<double>(step_ - last_step));
      spdlog::info("{}", FormatProgress(p));
      result.train_losses = p.losses;
      sums.clear();
      last = now;
      last_step = step_;
      if (callback && !callback(p)) {
        SaveCheckpoint();
        throw Error::Conflict("training cancelled at step " + std::to_string(step_));
      }
    }
    if (t.checkpoint_every > 0 && step_ % t.checkpoint_every == 0) SaveCheckpoint();
    if (out_of_time) {
      spdlog::info("stopping at step {}: max_minutes reached", step_);
      break;
    }
  }
  result.steps = step_;
  result.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  result.ecg_per_s = static_cast<double>((result.steps - first_step) * EcgsPerStep()) /
                     std::max(1e-9, result.elapsed_s);
  result.validation_losses = Evaluate();
  nlohmann::json metrics = {{"steps", result.steps},
                            {"train_seconds", result.elapsed_s},
                            {"train_ecg_per_s", result.ecg_per_s},
                            {"device", device_.str()},
                            {"train_losses", result.train_losses},
                            {"validation_losses", result.validation_losses},
                            {"training_config", config_.ToJson()}};
  DataSummary summary = data_.Summary();
  nlohmann::json data = summary.ToJson();
  data["train_patients"] = split_.train.size();
  data["validation_patients"] = split_.validation.size();
  model_->to(torch::kCPU);
  SaveModelDir(out_dir_, model_, data, metrics);
  model_->to(device_);
  std::error_code ec;
  std::filesystem::remove_all(checkpoint_dir(), ec);
  return result;
}

}  // namespace ecg::learning
