#include "tools/identity_eval.h"

#include <algorithm>
#include <map>
#include <random>
#include <string>

#include "storage/identity_check.h"
#include "storage/similarity_index.h"
#include "waveform/error.h"

namespace ecg::tools {
namespace {

using Groups = std::map<int64_t, std::vector<size_t>>;  // patient -> rows

Groups GroupByPatient(const std::vector<int64_t>& keys) {
  Groups groups;
  for (size_t i = 0; i < keys.size(); ++i) groups[keys[i]].push_back(i);
  return groups;
}

struct Draw {
  std::vector<int64_t> keys;  // patient of each ECG after the moves
  std::vector<bool> moved;
};

Draw MisfileSome(const std::vector<int64_t>& keys, double fraction, std::mt19937_64& rng) {
  std::vector<size_t> eligible;
  std::vector<int64_t> patients;
  for (const auto& [patient, rows] : GroupByPatient(keys)) {
    patients.push_back(patient);
    if (rows.size() >= 2) eligible.insert(eligible.end(), rows.begin(), rows.end());
  }
  if (eligible.empty() || patients.size() < 2) {
    throw Error::InvalidArgument("misfiling simulation: no patient with several ECGs");
  }
  std::shuffle(eligible.begin(), eligible.end(), rng);
  const size_t moves = std::max<size_t>(1, static_cast<size_t>(fraction * eligible.size() + 0.5));
  Draw draw{keys, std::vector<bool>(keys.size(), false)};
  std::uniform_int_distribution<size_t> pick(0, patients.size() - 1);
  for (size_t m = 0; m < std::min(moves, eligible.size()); ++m) {
    const size_t row = eligible[m];
    int64_t target = keys[row];
    while (target == keys[row]) target = patients[pick(rng)];
    draw.keys[row] = target;
    draw.moved[row] = true;
  }
  return draw;
}

// -z of every ECG with another ECG under its patient; nullopt-free rows only.
void ScoreDraw(const std::vector<float>& embeddings, int dimension, const Draw& draw,
               int population_k, std::vector<double>* positives, std::vector<double>* negatives) {
  SimilarityIndex index(0, dimension);
  std::vector<IndexedEcg> ecgs;
  for (size_t i = 0; i < draw.keys.size(); ++i) ecgs.push_back({int64_t(i) + 1, draw.keys[i], 0});
  index.Add(ecgs, embeddings);
  const Groups groups = GroupByPatient(draw.keys);
  for (size_t i = 0; i < draw.keys.size(); ++i) {
    const std::vector<size_t>& same = groups.at(draw.keys[i]);
    if (same.size() < 2) continue;
    const auto row = [&](size_t r) { return embeddings.begin() + r * dimension; };
    const std::vector<float> embedding(row(i), row(i + 1));
    std::vector<float> patient_embeddings;
    for (size_t j : same) {
      if (j != i) patient_embeddings.insert(patient_embeddings.end(), row(j), row(j + 1));
    }
    SearchOptions options;
    options.k = population_k;
    options.scope = SearchScope::kOtherPatients;
    options.patient_key = draw.keys[i];
    std::vector<float> population;
    for (const Neighbor& n : index.Search(embedding, options)) population.push_back(n.similarity);
    const std::optional<IdentityScore> score =
        ScoreIdentity(embedding, patient_embeddings, population);
    if (!score) continue;
    (draw.moved[i] ? positives : negatives)->push_back(-score->z);
  }
}

double ShareAbove(const std::vector<double>& scores, double threshold) {
  if (scores.empty()) return 0;
  return double(
             std::count_if(scores.begin(), scores.end(), [&](double s) { return s > threshold; })) /
         double(scores.size());
}

}  // namespace

double Auc(const std::vector<double>& positive_scores, const std::vector<double>& negative_scores) {
  if (positive_scores.empty() || negative_scores.empty()) return 0.5;
  std::vector<double> negatives = negative_scores;
  std::sort(negatives.begin(), negatives.end());
  double wins = 0;
  for (double p : positive_scores) {
    const auto lower = std::lower_bound(negatives.begin(), negatives.end(), p);
    const auto upper = std::upper_bound(negatives.begin(), negatives.end(), p);
    wins += double(lower - negatives.begin()) + 0.5 * double(upper - lower);
  }
  return wins / (double(positive_scores.size()) * double(negatives.size()));
}

MisfilingResult SimulateMisfiling(const std::vector<float>& embeddings, int dimension,
                                  const std::vector<int64_t>& patient_keys,
                                  const MisfilingOptions& options) {
  if (dimension <= 0 || embeddings.size() != patient_keys.size() * size_t(dimension)) {
    throw Error::InvalidArgument("misfiling simulation: " + std::to_string(embeddings.size()) +
                                 " floats are not " + std::to_string(patient_keys.size()) +
                                 " embeddings of " + std::to_string(dimension));
  }
  std::mt19937_64 rng(options.seed);
  std::vector<double> all_positives, all_negatives;
  double auc_sum = 0;
  for (int d = 0; d < options.draws; ++d) {
    std::vector<double> positives, negatives;
    ScoreDraw(embeddings, dimension, MisfileSome(patient_keys, options.fraction, rng),
              options.population_k, &positives, &negatives);
    auc_sum += Auc(positives, negatives);
    all_positives.insert(all_positives.end(), positives.begin(), positives.end());
    all_negatives.insert(all_negatives.end(), negatives.begin(), negatives.end());
  }
  MisfilingResult result;
  result.pooled_auc = Auc(all_positives, all_negatives);
  result.mean_draw_auc = options.draws > 0 ? auc_sum / options.draws : 0.5;
  result.flag_sensitivity = ShareAbove(all_positives, 0.0);  // -z > 0: z < 0, flagged
  result.flag_false_alarms = ShareAbove(all_negatives, 0.0);
  result.positives = all_positives.size();
  result.negatives = all_negatives.size();
  return result;
}

}  // namespace ecg::tools
