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

constexpr const char* kRemovedKeys[] = {"top1_tolerance", "recall_tolerance", "rmse_tolerance"};

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

void Append(std::string* reason, const std::string& clause) {
  *reason += (reason->empty() ? "" : "; ") + clause;
}

double ReadMargin(const json& json, const char* key, double fallback) {
  if (!json.contains(key)) return fallback;
  if (!json[key].is_number() || json[key].get<double>() < 0) {
    throw Error::InvalidArgument(std::string("gate.") + key + " must be a number >= 0");
  }
  return json[key].get<double>();
}

double MarginFor(const GateMetric& metric, const GateOptions& options) {
  const std::string key = metric.key;
  if (key == "fingerprint_top1") return options.top1_margin;
  if (key == "same_patient_recall10") return options.recall_margin;
  return options.rmse_margin;
}

// The value the candidate must reach (or, for RMSE, stay at or below) not to be worse.
double Bar(const GateMetric& metric, double reference, double margin) {
  return metric.higher_is_better ? reference + margin : reference * (1.0 - margin);
}

}  // namespace

GateOptions GateOptions::FromJson(const json& json) {
  if (!json.is_object()) throw Error::InvalidArgument("gate must be a JSON object");
  GateOptions o;
  for (const auto& item : json.items()) {
    for (const char* removed : kRemovedKeys) {
      if (item.key() == removed) {
        throw Error::InvalidArgument(
            "gate." + item.key() +
            " was removed: a trained model must beat the active model (or model zero) to be "
            "promoted; use the *_margin keys (>= 0) to demand more");
      }
    }
    if (!o.ToJson().contains(item.key())) {
      throw Error::InvalidArgument("unknown key 'gate." + item.key() + "'");
    }
  }
  o.top1_margin = ReadMargin(json, "top1_margin", o.top1_margin);
  o.recall_margin = ReadMargin(json, "recall_margin", o.recall_margin);
  o.rmse_margin = ReadMargin(json, "rmse_margin", o.rmse_margin);
  if (json.contains("force_promotion")) {
    if (!json["force_promotion"].is_boolean()) {
      throw Error::InvalidArgument("gate.force_promotion must be true or false");
    }
    o.force_promotion = json["force_promotion"].get<bool>();
  }
  return o;
}

json GateOptions::ToJson() const {
  return {{"top1_margin", top1_margin},
          {"recall_margin", recall_margin},
          {"rmse_margin", rmse_margin},
          {"force_promotion", force_promotion}};
}

GateDecision CompareWithReference(const json& candidate, const json& reference,
                                  const std::string& reference_name, const GateOptions& options) {
  bool not_worse = true;
  bool better_somewhere = false;
  size_t compared = 0;
  std::string clauses;
  for (const GateMetric& metric : kGateMetrics) {
    const std::optional<double> ours = Number(candidate, metric.key);
    const std::optional<double> theirs = Number(reference, metric.key);
    if (!theirs) {
      if (ours) {
        Append(&clauses, std::string(metric.key) + " " + Format(*ours) +
                             " (the reference has none: not compared)");
      }
      continue;
    }
    if (!ours) {
      not_worse = false;
      Append(&clauses, std::string(metric.key) + " could not be measured for the new model");
      continue;
    }
    ++compared;
    const double margin = MarginFor(metric, options);
    const double bar = Bar(metric, *theirs, margin);
    const bool ok = metric.higher_is_better ? *ours >= bar : *ours <= bar;
    const bool better = metric.higher_is_better ? *ours > bar : *ours < bar;
    not_worse = not_worse && ok;
    better_somewhere = better_somewhere || better;
    Append(&clauses, std::string(metric.key) + " " + Format(*ours) + " vs " + Format(*theirs) +
                         (better ? " (better"
                          : ok   ? " (equal"
                                 : " (worse") +
                         (margin > 0 ? ", margin " + Format(margin) + ")" : ")"));
  }
  const bool beats = compared > 0 && not_worse && better_somewhere;
  if (compared == 0) Append(&clauses, "no gate metric could be compared on the held-out patients");
  GateDecision decision;
  decision.promote = beats || options.force_promotion;
  const std::string verdict =
      beats ? "beats " + reference_name
            : "does not beat " + reference_name +
                  (compared > 0 && not_worse ? " (better on no gate metric)" : "");
  decision.reason = std::string(decision.promote ? "promoted" : "not promoted") +
                    (!beats && options.force_promotion ? " (forced by gate.force_promotion)" : "") +
                    ": the new model " + verdict + " on the held-out patients: " + clauses;
  return decision;
}

}  // namespace ecg::tools
