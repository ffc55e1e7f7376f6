#include "learning/evaluation.h"

#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>

#include "learning/dataset.h"
#include "learning/model_zero.h"
#include "learning/objectives.h"  // HighPass, shared with the lead objective
#include "waveform/error.h"
#include "waveform/random.h"

namespace ecg::learning {
namespace {

namespace F = torch::nn::functional;

constexpr int64_t kBaselineRate_hz = 100;
constexpr double kHighPass_hz = 0.5;

nlohmann::json OrNull(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::optional<double> Mean(const std::vector<double>& v) {
  if (v.empty()) return std::nullopt;
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

EcgBatch PrepareRange(const std::vector<EvalEcg>& set, size_t from, size_t to,
                      const ModelConfig& config) {
  std::vector<PreparedEcg> prepared;
  for (size_t i = from; i < to; ++i) {
    const EvalEcg& e = set[i];
    prepared.push_back(PrepareEcg(e.signal, e.valid_samples, config, std::nullopt,
                                  e.r_peaks ? &*e.r_peaks : nullptr));
  }
  return StackBatch(prepared, config);
}

// Each patient's ECG indices ordered by time (unknown times last, then by index).
std::map<int64_t, std::vector<size_t>> ByPatient(const std::vector<EvalEcg>& set) {
  std::map<int64_t, std::vector<size_t>> patients;
  for (size_t i = 0; i < set.size(); ++i) patients[set[i].patient_key].push_back(i);
  for (auto& [key, ecgs] : patients) {
    std::stable_sort(ecgs.begin(), ecgs.end(), [&](size_t a, size_t b) {
      return static_cast<uint64_t>(set[a].acquisition_time_ms) + (1ULL << 63) <
             static_cast<uint64_t>(set[b].acquisition_time_ms) + (1ULL << 63);
    });
  }
  return patients;
}

struct Fingerprint {
  std::optional<double> top1, top5;
  size_t probes = 0, gallery = 0;
};

Fingerprint FingerprintMetrics(const torch::Tensor& sim, const std::vector<EvalEcg>& set) {
  Fingerprint f;
  std::vector<int64_t> gallery;
  std::vector<std::pair<size_t, size_t>> probes;  // probe ECG, gallery position
  for (const auto& [key, ecgs] : ByPatient(set)) {
    for (size_t j = 1; j < ecgs.size(); ++j) probes.emplace_back(ecgs[j], gallery.size());
    gallery.push_back(static_cast<int64_t>(ecgs.front()));
  }
  f.gallery = gallery.size();
  f.probes = probes.size();
  if (probes.empty()) return f;
  auto g = sim.index_select(1, torch::tensor(gallery));
  std::vector<double> top1, top5;
  for (const auto& [probe, position] : probes) {
    auto row = g[static_cast<int64_t>(probe)];
    const double own = row[static_cast<int64_t>(position)].item<double>();
    const int64_t rank = (row > own).sum().item<int64_t>();
    top1.push_back(rank < 1 ? 1.0 : 0.0);
    top5.push_back(rank < 5 ? 1.0 : 0.0);
  }
  f.top1 = Mean(top1);
  f.top5 = Mean(top5);
  return f;
}

std::optional<double> SamePatientRecall10(const torch::Tensor& sim,
                                          const std::vector<EvalEcg>& set) {
  const int64_t n = sim.size(0);
  const int64_t k = std::min<int64_t>(10, n - 1);
  if (k < 1) return std::nullopt;
  auto s = sim.clone();
  s.fill_diagonal_(-std::numeric_limits<float>::infinity());
  auto nearest = std::get<1>(s.topk(k, 1));
  std::vector<double> recalls;
  for (const auto& [key, ecgs] : ByPatient(set)) {
    if (ecgs.size() < 2) continue;
    for (size_t q : ecgs) {
      auto row = nearest[static_cast<int64_t>(q)];
      int64_t found = 0;
      for (int64_t j = 0; j < k; ++j) {
        found += set[static_cast<size_t>(row[j].item<int64_t>())].patient_key == key ? 1 : 0;
      }
      recalls.push_back(static_cast<double>(found) /
                        std::min<double>(static_cast<double>(k), ecgs.size() - 1.0));
    }
  }
  return Mean(recalls);
}

bool HasAnyClass(const EvalEcg& e) {
  return e.superclasses &&
         std::any_of(e.superclasses->begin(), e.superclasses->end(), [](bool b) { return b; });
}

std::optional<double> DiagnosticPrecision10(const torch::Tensor& sim,
                                            const std::vector<EvalEcg>& set) {
  std::vector<int64_t> labelled;
  for (size_t i = 0; i < set.size(); ++i) {
    if (HasAnyClass(set[i])) labelled.push_back(static_cast<int64_t>(i));
  }
  const int64_t n = static_cast<int64_t>(labelled.size());
  const int64_t k = std::min<int64_t>(10, n - 1);
  if (k < 1) return std::nullopt;
  auto index = torch::tensor(labelled);
  auto s = sim.index_select(0, index).index_select(1, index);
  s.fill_diagonal_(-std::numeric_limits<float>::infinity());
  auto nearest = std::get<1>(s.topk(k, 1));
  auto nearest_a = nearest.accessor<int64_t, 2>();
  std::vector<double> precisions;
  for (int64_t q = 0; q < n; ++q) {
    const auto& cq = *set[static_cast<size_t>(labelled[q])].superclasses;
    int64_t shared = 0;
    for (int64_t j = 0; j < k; ++j) {
      const auto& cn = *set[static_cast<size_t>(labelled[nearest_a[q][j]])].superclasses;
      bool any = false;
      for (size_t c = 0; c < cq.size(); ++c) any = any || (cq[c] && cn[c]);
      shared += any ? 1 : 0;
    }
    precisions.push_back(static_cast<double>(shared) / k);
  }
  return Mean(precisions);
}

// Mann-Whitney AUC with ties counted half; nullopt without both classes.
std::optional<double> Auc(const std::vector<float>& score, const std::vector<bool>& positive) {
  std::vector<size_t> order(score.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score[a] < score[b]; });
  double rank_sum = 0, positives = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && score[order[j]] == score[order[i]]) ++j;
    const double mid_rank = (i + j + 1) / 2.0;  // 1-based average rank of the tie group
    for (size_t t = i; t < j; ++t) {
      if (positive[order[t]]) {
        rank_sum += mid_rank;
        positives += 1;
      }
    }
    i = j;
  }
  const double negatives = static_cast<double>(score.size()) - positives;
  if (positives == 0 || negatives == 0) return std::nullopt;
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

// Logistic regression (5 independent outputs) on [n, D] features with an L2 penalty of `l2` on the
// weights (added to the mean loss); returns logits for test rows.
torch::Tensor FitAndPredict(const torch::Tensor& x, const torch::Tensor& y,
                            const torch::Tensor& test, double l2) {
  torch::AutoGradMode enable_grad(true);  // callers run under NoGradGuard
  auto w = torch::zeros({x.size(1), y.size(1)}, torch::requires_grad());
  auto b = torch::zeros({y.size(1)}, torch::requires_grad());
  torch::optim::Adam optimizer({w, b}, torch::optim::AdamOptions(0.05));
  for (int i = 0; i < 200; ++i) {
    optimizer.zero_grad();
    auto loss =
        F::binary_cross_entropy_with_logits(torch::matmul(x, w) + b, y) + l2 * w.pow(2).sum();
    loss.backward();
    optimizer.step();
  }
  torch::NoGradGuard no_grad;
  return torch::matmul(test, w) + b;
}

std::optional<double> MacroAuc(const torch::Tensor& logits, const std::vector<size_t>& test,
                               const std::vector<EvalEcg>& set) {
  std::vector<double> aucs;
  for (size_t c = 0; c < kSuperclasses.size(); ++c) {
    std::vector<float> score;
    std::vector<bool> positive;
    for (size_t i = 0; i < test.size(); ++i) {
      score.push_back(logits[static_cast<int64_t>(i)][static_cast<int64_t>(c)].item<float>());
      positive.push_back((*set[test[i]].superclasses)[c]);
    }
    if (auto auc = Auc(score, positive)) aucs.push_back(*auc);
  }
  return Mean(aucs);
}

torch::Tensor Labels(const std::vector<size_t>& rows, const std::vector<EvalEcg>& set) {
  auto y = torch::zeros({static_cast<int64_t>(rows.size()), 5});
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t c = 0; c < 5; ++c) {
      y[static_cast<int64_t>(i)][static_cast<int64_t>(c)] =
          (*set[rows[i]].superclasses)[c] ? 1.0 : 0.0;
    }
  }
  return y;
}

torch::Tensor Rows(const torch::Tensor& x, const std::vector<size_t>& rows) {
  return x.index_select(0, torch::tensor(std::vector<int64_t>(rows.begin(), rows.end())));
}

struct ProbeSplit {
  std::vector<size_t> train, test;  // labelled ECG indices, patient-disjoint
};

ProbeSplit SplitForProbe(const std::vector<EvalEcg>& set, const EvalOptions& o) {
  ProbeSplit split;
  const auto threshold = static_cast<uint64_t>(o.probe_train_fraction * 18446744073709551615.0);
  const uint64_t purpose_seed = DeriveSeed(o.seed, kProbeSplitPurpose);
  for (size_t i = 0; i < set.size(); ++i) {
    if (!HasAnyClass(set[i])) continue;
    const uint64_t h = HashU64(static_cast<uint64_t>(set[i].patient_key) ^ purpose_seed);
    (h < threshold ? split.train : split.test).push_back(i);
  }
  return split;
}

nlohmann::json LinearProbe(const torch::Tensor& embeddings, const std::vector<EvalEcg>& set,
                           const EvalOptions& o) {
  const ProbeSplit split = SplitForProbe(set, o);
  const std::vector<size_t>& train = split.train;
  const std::vector<size_t>& test = split.test;
  nlohmann::json out = {{"1", nullptr}, {"10", nullptr}, {"100", nullptr}};
  if (train.size() < 2 || test.size() < 2) return out;
  auto x_train_all = Rows(embeddings, train);
  auto mean = x_train_all.mean(0), std = x_train_all.std(0).clamp_min(1e-6);
  const torch::Tensor x = (embeddings - mean) / std;
  const torch::Tensor x_test = Rows(x, test);
  std::mt19937_64 rng(o.seed);
  for (int percent : {1, 10, 100}) {
    const int repeats = percent == 100 ? 1 : std::max(1, o.probe_repeats);
    std::vector<double> aucs;
    for (int r = 0; r < repeats; ++r) {
      std::vector<size_t> subset = train;
      std::shuffle(subset.begin(), subset.end(), rng);
      subset.resize(std::max<size_t>(2, train.size() * percent / 100));
      auto logits = FitAndPredict(Rows(x, subset), Labels(subset, set), x_test, o.probe_l2);
      if (auto auc = MacroAuc(logits, test, set)) aucs.push_back(*auc);
    }
    out[std::to_string(percent)] = OrNull(Mean(aucs));
  }
  return out;
}

nlohmann::json NoLeadMetrics() {
  return {{"lead_rmse_mv", nullptr}, {"lead_rmse_mv_per_lead", nullptr}, {"lead_pearson", nullptr}};
}

nlohmann::json DataSummaryJson(const std::vector<EvalEcg>& set, const EvalOptions& options) {
  const auto n = static_cast<int64_t>(set.size());
  Fingerprint f = FingerprintMetrics(torch::zeros({n, n}), set);  // counts only
  size_t labelled = 0;
  for (const EvalEcg& e : set) labelled += HasAnyClass(e) ? 1 : 0;
  const ProbeSplit probe = SplitForProbe(set, options);
  return {{"ecgs", set.size()},
          {"patients", ByPatient(set).size()},
          {"fingerprint_gallery", f.gallery},
          {"fingerprint_probes", f.probes},
          {"labelled_ecgs", labelled},
          {"probe_train_ecgs", probe.train.size()},
          {"probe_test_ecgs", probe.test.size()}};
}

}  // namespace

std::vector<EvalEcg> LoadEvalSet(const std::vector<std::string>& archive_paths,
                                 const std::function<bool(int64_t patient_key)>& keep) {
  std::vector<EvalEcg> set;
  for (const std::string& path : archive_paths) {
    EcgArchiveReader reader(path);
    for (uint64_t i = 0; i < reader.size(); ++i) {
      if (keep && !keep(reader.ReadKeys(i).patient_key)) continue;
      ArchiveRecord record = reader.Read(i);
      EvalEcg e;
      e.signal = std::move(record.signal);
      e.valid_samples = record.valid_samples;
      e.patient_key = record.keys.patient_key;
      e.acquisition_time_ms = record.keys.acquisition_time_ms;
      e.r_peaks = std::move(record.r_peaks);
      set.push_back(std::move(e));
    }
  }
  return set;
}

torch::Tensor EmbedAll(EcgModel& model, const std::vector<EvalEcg>& set, int64_t batch_size) {
  torch::NoGradGuard no_grad;
  model->eval();
  std::vector<torch::Tensor> parts;
  const auto step = static_cast<size_t>(std::max<int64_t>(1, batch_size));
  for (size_t from = 0; from < set.size(); from += step) {
    EcgBatch batch = PrepareRange(set, from, std::min(set.size(), from + step), model->config());
    parts.push_back(model->Embed(model->Prepare(batch.signals_mV, batch.peaks)));
  }
  return torch::cat(parts, 0);
}

torch::Tensor MedianBeatEmbeddings(const std::vector<EvalEcg>& set) {
  ModelConfig config;  // only the window matters here: the whole 10 s at 500 Hz
  config.input_rate_hz = kBaselineRate_hz;
  std::vector<torch::Tensor> parts;
  for (size_t from = 0; from < set.size(); from += 64) {
    EcgBatch batch = PrepareRange(set, from, std::min(set.size(), from + 64), config);
    parts.push_back(MedianBeats100Hz(batch.signals_mV, batch.peaks).flatten(1));
  }
  auto features = torch::cat(parts, 0);
  features = (features - features.mean(0)) / features.std(0).clamp_min(1e-6);
  return F::normalize(features, F::NormalizeFuncOptions().dim(1));
}

torch::Tensor ModelZeroEmbeddings(const std::vector<EvalEcg>& set, int64_t batch_size) {
  const ModelConfig config = ModelZeroInputConfig();
  std::vector<torch::Tensor> parts;
  const auto step = static_cast<size_t>(std::max<int64_t>(1, batch_size));
  for (size_t from = 0; from < set.size(); from += step) {
    EcgBatch batch = PrepareRange(set, from, std::min(set.size(), from + step), config);
    parts.push_back(ModelZeroEmbed(batch.signals_mV, batch.peaks));
  }
  return torch::cat(parts, 0);
}

nlohmann::json ModelZeroMetrics(const std::vector<EvalEcg>& set, const EvalOptions& options) {
  nlohmann::json j =
      RetrievalAndProbeMetrics(ModelZeroEmbeddings(set, options.batch_size), set, options);
  j.update(NoLeadMetrics());
  return j;
}

nlohmann::json RetrievalAndProbeMetrics(const torch::Tensor& embeddings,
                                        const std::vector<EvalEcg>& set,
                                        const EvalOptions& options) {
  torch::NoGradGuard no_grad;
  auto e = embeddings.to(torch::kCPU, torch::kFloat);
  auto sim = torch::matmul(e, e.t());
  Fingerprint f = FingerprintMetrics(sim, set);
  nlohmann::json out = {{"fingerprint_top1", OrNull(f.top1)},
                        {"fingerprint_top5", OrNull(f.top5)},
                        {"same_patient_recall10", OrNull(SamePatientRecall10(sim, set))},
                        {"diagnostic_precision10", OrNull(DiagnosticPrecision10(sim, set))}};
  out["linear_auc"] = options.linear_probe
                          ? LinearProbe(e, set, options)
                          : nlohmann::json({{"1", nullptr}, {"10", nullptr}, {"100", nullptr}});
  return out;
}

nlohmann::json LeadMetrics(EcgModel& model, const std::vector<EvalEcg>& set, int64_t batch_size) {
  torch::NoGradGuard no_grad;
  model->eval();
  const ModelConfig& config = model->config();
  std::vector<bool> is_input(kLeadCount, false);
  for (Lead lead : config.reconstruction_input_leads) is_input[LeadIndex(lead)] = true;
  std::vector<double> squared(kLeadCount, 0.0), count(kLeadCount, 0.0);
  std::vector<double> pearsons;
  const auto step = static_cast<size_t>(std::max<int64_t>(1, batch_size));
  const double rate = static_cast<double>(config.input_rate_hz);
  for (size_t from = 0; from < set.size(); from += step) {
    EcgBatch batch = PrepareRange(set, from, std::min(set.size(), from + step), config);
    auto x = model->Prepare(batch.signals_mV, batch.peaks).signals_mV;
    auto target = HighPass(x, rate, kHighPass_hz);
    auto prediction = HighPass(model->ReconstructLeads(x), rate, kHighPass_hz);
    for (int64_t b = 0; b < x.size(0); ++b) {
      const EvalEcg& ecg = set[from + static_cast<size_t>(b)];
      if (ecg.signal.status(config.reconstruction_input_leads.front()) == LeadStatus::kMissing)
        continue;
      for (Lead lead : AllLeads()) {
        const auto l = static_cast<int64_t>(LeadIndex(lead));
        if (is_input[LeadIndex(lead)] || ecg.signal.status(lead) == LeadStatus::kMissing) continue;
        auto t = target[b][l], p = prediction[b][l];
        squared[LeadIndex(lead)] += (p - t).pow(2).sum().item<double>();
        count[LeadIndex(lead)] += static_cast<double>(t.numel());
        auto tc = t - t.mean(), pc = p - p.mean();
        const double denom = (tc.norm() * pc.norm()).item<double>();
        if (denom > 0) pearsons.push_back((tc * pc).sum().item<double>() / denom);
      }
    }
  }
  nlohmann::json per_lead = nlohmann::json::object();
  std::vector<double> rmses;
  for (Lead lead : AllLeads()) {
    const size_t l = LeadIndex(lead);
    if (is_input[l] || count[l] == 0) continue;
    rmses.push_back(std::sqrt(squared[l] / count[l]));
    per_lead[std::string(LeadName(lead))] = rmses.back();
  }
  return {{"lead_rmse_mv", OrNull(Mean(rmses))},
          {"lead_rmse_mv_per_lead", rmses.empty() ? nlohmann::json(nullptr) : per_lead},
          {"lead_pearson", OrNull(Mean(pearsons))}};
}

nlohmann::json EvaluateModelZero(const std::vector<EvalEcg>& set, const EvalOptions& options) {
  if (set.size() < 2) throw Error::InvalidArgument("evaluation needs at least 2 ECGs");
  nlohmann::json out;
  out["model_zero"] = ModelZeroMetrics(set, options);
  out["median_beat"] = RetrievalAndProbeMetrics(MedianBeatEmbeddings(set), set, options);
  out["median_beat"].update(NoLeadMetrics());
  out["data"] = DataSummaryJson(set, options);
  return out;
}

nlohmann::json EvaluateModel(EcgModel& model, const std::vector<EvalEcg>& set,
                             const EvalOptions& options) {
  nlohmann::json out = EvaluateModelZero(set, options);
  auto evaluate = [&](EcgModel& m) {
    nlohmann::json j = RetrievalAndProbeMetrics(EmbedAll(m, set, options.batch_size), set, options);
    j.update(LeadMetrics(m, set, options.batch_size));
    return j;
  };
  out["model"] = evaluate(model);
  torch::manual_seed(options.seed);
  EcgModel random(model->config());
  // Fitted statistics are not weights: the random encoder keeps the model's identity block.
  if (model->encoder->beat_block()) {
    random->encoder->beat_block()->CopyFrom(*model->encoder->beat_block());
  }
  out["random"] = evaluate(random);
  return out;
}

}  // namespace ecg::learning
