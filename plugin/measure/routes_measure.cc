#include "plugin/measure/routes_measure.h"

#include <map>
#include <set>

#include "plugin/ecg_json.h"
#include "plugin/measure/change_scores.h"
#include "plugin/rest.h"
#include "plugin/search/search_query.h"
#include "plugin/search/search_service.h"
#include "waveform/error.h"
#include "waveform/measurements_json.h"
#include "waveform/serial_comparison.h"

namespace ecg::plugin {
namespace {

using nlohmann::json;

PluginServices* g_services = nullptr;

EcgStore& Store() {
  return *g_services->store;
}

// The stored product measurements; empty ones (all null) while not measured.
EcgMeasurements Measurements(const EcgRow& row) {
  const json j = ProductMeasurementsJson(row);
  return j.is_object() ? MeasurementsFromJson(j) : EcgMeasurements{};
}

json EcgRef(const EcgRow& row) {
  return {{"instance", row.orthanc.instance},
          {"acquisition_time_ms", Optional(row.acquisition_time_ms)}};
}

json StatementsJson(const SerialComparison& c) {
  json list = json::array();
  for (const ChangeStatement& s : c.statements) {
    list.push_back({{"code", s.code},
                    {"text", s.text},
                    {"measurement", s.measurement},
                    {"from", s.from},
                    {"to", s.to}});
  }
  return list;
}

json DifferencesJson(const SerialComparison& c) {
  json out = json::object();
  for (const MeasurementDifference& d : c.differences) {
    out[d.field] = {
        {"from", Optional(d.from)}, {"to", Optional(d.to)}, {"delta", Optional(d.delta)}};
  }
  return out;
}

// The served model (nullptr when none, or without a search service) and its change reference.
struct ServedChange {
  std::shared_ptr<const ServedModel> model;
  std::shared_ptr<const ChangeReference> reference;
};

ServedChange CurrentChange() {
  ServedChange served;
  if (!g_services->search) return served;
  served.model = g_services->search->Current();
  if (served.model)
    served.reference = g_services->search->ChangeReferenceOf(served.model->model_id);
  return served;
}

// The learned change score (plugin/measure/change_scores.h, docs/measurements.md).
json ChangeJson(const ChangeScore& score, const ServedChange& served) {
  return {{"percentile", Optional(score.percentile)},
          {"pairs", score.pairs},
          {"gap_bin", score.gap_bin.empty() ? json(nullptr) : json(score.gap_bin)},
          {"distance", Optional(score.distance)},
          {"model_id", served.model ? json(served.model->model_id) : json(nullptr)},
          {"reason", score.reason.empty() ? json(nullptr) : json(score.reason)}};
}

RestAnswer HandleCompare(const RestRequest& request) {
  const EcgRow ecg = RequireEcg(Store(), request.groups.at(0));
  const std::string with = request.Query("with").value_or("previous");
  std::optional<EcgRow> other;
  if (with == "previous" || with == "first") {
    const std::vector<EcgRow> timeline = Store().TimelineByPatientKey(ecg.patient_key);
    for (size_t i = 0; i < timeline.size(); ++i) {
      if (timeline[i].ecg_key != ecg.ecg_key) continue;
      if (with == "previous" && i > 0) other = timeline[i - 1];
      if (with == "first" && i > 0) other = timeline.front();
    }
    if (!other) {
      throw Error::NotFound("the ECG of instance " + ecg.orthanc.instance + " has no " +
                            (with == "first" ? "earlier" : "previous") + " ECG of its patient");
    }
  } else {
    other = RequireEcg(Store(), with);
  }
  const SerialComparison c = CompareMeasurements(Measurements(*other), Measurements(ecg));
  const ServedChange served = CurrentChange();
  return RestAnswer::Json({{"ecg", EcgRef(ecg)},
                           {"with", EcgRef(*other)},
                           {"differences", DifferencesJson(c)},
                           {"statements", StatementsJson(c)},
                           {"change", ChangeJson(ScoreChange(Store(), served.model.get(),
                                                             served.reference.get(), *other, ecg),
                                                 served)}});
}

// The change from the previous ECG of the timeline, from the patient's consecutive distances.
ChangeScore ConsecutiveChange(const ServedChange& served, const PairDistances& distances,
                              const EcgRow& previous, const EcgRow& row) {
  if (!served.model) return UnscoredChange("no active model");
  if (previous.patient_key != row.patient_key) return UnscoredChange("not the same store patient");
  const auto distance = distances.find({previous.ecg_key, row.ecg_key});
  if (distance == distances.end()) return UnscoredChange("not embedded yet");
  if (!served.reference) return UnscoredChange("change reference not built yet", distance->second);
  return served.reference->Score(distance->second, GapMs(previous, row));
}

// The stored identity checks of rows[begin, end) under the served model
// (plugin/search/identity_backlog.h), as the identity route shows them; ECGs not checked yet are
// left out.
std::map<int64_t, json> StoredIdentities(const ServedChange& served,
                                         const std::vector<EcgRow>& rows, size_t begin,
                                         size_t end) {
  std::map<int64_t, json> out;
  if (!served.model) return out;
  std::vector<int64_t> keys;
  for (size_t i = begin; i < end; ++i) keys.push_back(rows[i].ecg_key);
  for (const StoredIdentityCheck& stored :
       Store().ReadIdentityChecks(served.model->model_id, keys)) {
    out.emplace(stored.ecg_key,
                IdentityCheckJson({stored.score, stored.reason}, served.model->model_id));
  }
  return out;
}

RestAnswer HandleTimeline(const RestRequest& request) {
  const std::string& patient = request.groups.at(0);
  RequireOrthancId(patient, "the patient ID");
  const int64_t limit = request.QueryInt("limit", 200, 1, 1000);
  const int64_t offset = request.QueryInt("offset", 0, 0, INT32_MAX);
  const std::vector<EcgRow> rows = Store().Timeline(patient);
  if (rows.empty()) throw Error::NotFound("no ECG of Orthanc patient " + patient + " in the store");
  json list = json::array();
  const size_t begin = std::min<size_t>(rows.size(), static_cast<size_t>(offset));
  const size_t end = std::min<size_t>(rows.size(), begin + static_cast<size_t>(limit));
  const ServedChange served = CurrentChange();
  PairDistances distances;
  std::set<int64_t> patient_keys;  // one Orthanc patient may be several store patients (issuers)
  for (const EcgRow& row : rows) patient_keys.insert(row.patient_key);
  for (const int64_t key : patient_keys) {
    if (served.model) AddConsecutiveDistances(Store(), *served.model, key, &distances);
  }
  const std::map<int64_t, json> identities = StoredIdentities(served, rows, begin, end);
  std::optional<EcgMeasurements> previous;
  if (begin > 0) previous = Measurements(rows[begin - 1]);
  for (size_t i = begin; i < end; ++i) {
    const EcgRow& row = rows[i];
    EcgMeasurements current = Measurements(row);
    json comparison = nullptr;
    if (previous) {
      const SerialComparison c = CompareMeasurements(*previous, current);
      comparison = ChangeJson(ConsecutiveChange(served, distances, rows[i - 1], row), served);
      comparison["with"] = rows[i - 1].orthanc.instance;
      comparison["statements"] = StatementsJson(c);
    }
    json item = EcgRef(row);
    item["acquisition_time"] = EcgRowJson(row)["acquisition_time"];
    item["product_measurements"] = ProductMeasurementsJson(row);
    item["comparison"] = comparison;
    const auto identity = identities.find(row.ecg_key);
    item["identity"] = identity == identities.end() ? json(nullptr) : identity->second;
    list.push_back(std::move(item));
    previous = std::move(current);
  }
  return RestAnswer::Json({{"patient", patient},
                           {"total", rows.size()},
                           {"limit", limit},
                           {"offset", offset},
                           {"ecgs", list}});
}

const Route kRoutes[] = {
    {"/ecg/ecgs/([^/]+)/compare", Endpoint<HandleCompare, kGet>},
    {"/ecg/patients/([^/]+)/timeline", Endpoint<HandleTimeline, kGet>},
};

}  // namespace

void RegisterMeasureRoutes(PluginServices* services) {
  g_services = services;
  RegisterRouteTable(kRoutes);
}

json MeasurementStatusJson(PluginServices* services) {
  const int64_t measured = services->store->CountMeasured(kMeasureVersion);
  const int64_t ecgs = services->store->CountEcgs();
  return {{"measured", measured}, {"pending", std::max<int64_t>(0, ecgs - measured)}};
}

}  // namespace ecg::plugin
