#include "tools/worker_gate.h"

#include <cstdio>
#include <optional>
#include <vector>

#include "waveform/error.h"

namespace ecg::tools {
namespace {

using nlohmann::json;

struct GateMetric {
  const char* key;
  bool higher_is_better;
};

constexpr GateMetric kGateMetrics[] = {
    {"fingerprint_top1", true},
    {"same_patient_recall10", true},
    {"lead_rmse_mv", false},
};

std::optional<double> Number(const json& metrics, const char* key) {
  if (!metrics.is_object() || !metrics.contains(key) || !metrics[key].is_number()) {
    return std::nullopt;
  }
  return metrics[key].get<double>();
}

std::string Format(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

void Append(std::string* reason, const std::string& sentence) {
  *reason += (reason->empty() ? "" : "; ") + sentence;
}

double ReadTolerance(const json& json, const char* key, double fallback) {
  if (!json.contains(key)) return fallback;
  if (!json[key].is_number()) {
    throw Error::InvalidArgument(std::string("gate.") + key + " must be a number");
  }
  return json[key].get<double>();
}

// Whether `candidate` is acceptable against `reference`, given the allowed slack in the
// metric's own terms (absolute for scores, relative for RMSE).
bool WithinSlack(const GateMetric& metric, double candidate, double reference, double slack) {
  if (metric.higher_is_better) return candidate >= reference - slack;
  return candidate <= reference * (1.0 + slack);
}

double SlackFor(const GateMetric& metric, const GateOptions& options) {
  const std::string key = metric.key;
  if (key == "fingerprint_top1") return options.top1_tolerance;
  if (key == "same_patient_recall10") return options.recall_tolerance;
  return options.rmse_tolerance;
}

}  // namespace

GateOptions GateOptions::FromJson(const json& json) {
  if (!json.is_object()) throw Error::InvalidArgument("gate must be a JSON object");
  GateOptions o;
  for (const auto& item : json.items()) {
    if (!o.ToJson().contains(item.key())) {
      throw Error::InvalidArgument("unknown key 'gate." + item.key() + "'");
    }
  }
  o.top1_tolerance = ReadTolerance(json, "top1_tolerance", o.top1_tolerance);
  o.recall_tolerance = ReadTolerance(json, "recall_tolerance", o.recall_tolerance);
  o.rmse_tolerance = ReadTolerance(json, "rmse_tolerance", o.rmse_tolerance);
  return o;
}

json GateOptions::ToJson() const {
  return {{"top1_tolerance", top1_tolerance},
          {"recall_tolerance", recall_tolerance},
          {"rmse_tolerance", rmse_tolerance}};
}

GateDecision CompareWithActive(const json& candidate, const json& active,
                               const GateOptions& options) {
  GateDecision decision{true, ""};
  size_t compared = 0;
  for (const GateMetric& metric : kGateMetrics) {
    const std::optional<double> ours = Number(candidate, metric.key);
    const std::optional<double> theirs = Number(active, metric.key);
    if (!theirs) continue;
    if (!ours) {
      decision.promote = false;
      Append(&decision.reason,
             std::string(metric.key) + " could not be measured for the new model");
      continue;
    }
    ++compared;
    const double slack = SlackFor(metric, options);
    const bool ok = WithinSlack(metric, *ours, *theirs, slack);
    decision.promote = decision.promote && ok;
    Append(&decision.reason, std::string(metric.key) + " " + Format(*ours) + " vs active " +
                                 Format(*theirs) + (ok ? " (ok," : " (worse beyond") +
                                 " tolerance " + Format(slack) + ")");
  }
  if (compared == 0) {
    decision.promote = false;
    Append(&decision.reason, "no gate metric could be compared on the held-out patients");
  }
  decision.reason = (decision.promote ? "promoted: " : "not promoted: ") + decision.reason;
  return decision;
}

GateDecision CompareWithRandom(const json& candidate, const json& random,
                               const GateOptions& options) {
  bool not_worse = true;
  bool better_somewhere = false;
  std::string reason;
  for (const GateMetric& metric : kGateMetrics) {
    const std::optional<double> ours = Number(candidate, metric.key);
    const std::optional<double> theirs = Number(random, metric.key);
    if (!ours || !theirs) continue;
    const bool ok = WithinSlack(metric, *ours, *theirs, SlackFor(metric, options));
    const bool better = metric.higher_is_better ? *ours > *theirs : *ours < *theirs;
    not_worse = not_worse && ok;
    better_somewhere = better_somewhere || better;
    Append(&reason, std::string(metric.key) + " " + Format(*ours) + " vs random " +
                        Format(*theirs) +
                        (better ? " (better)"
                         : ok   ? " (within tolerance)"
                                : " (worse)"));
  }
  GateDecision decision;
  decision.promote = not_worse && better_somewhere;
  if (reason.empty()) reason = "no gate metric could be measured on the held-out patients";
  decision.reason = std::string(decision.promote ? "promoted" : "not promoted") +
                    " (no active model: the new model must beat a random encoder): " + reason;
  return decision;
}

}  // namespace ecg::tools
