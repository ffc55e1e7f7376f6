#include "plugin/routes.h"

#include <algorithm>

#include "plugin/ecg_json.h"
#include "plugin/ingest/routes_reconcile.h"
#include "plugin/measure/routes_measure.h"
#include "plugin/orthanc_api.h"
#include "plugin/rest.h"
#include "plugin/search/routes_search.h"
#include "plugin/training/routes_training.h"
#include "plugin/web/web_assets.h"
#include "waveform/signal_excerpt.h"
#include "waveform/signal_i16.h"

namespace ecg::plugin {
namespace {

using nlohmann::json;

PluginServices* g_services = nullptr;

EcgStore& Store() {
  return *g_services->store;
}

// The status answers even while the database is down: counts are then null.
RestAnswer HandleStatus(const RestRequest&) {
  const IngestStats stats = g_services->ingester->Stats();
  json status = {{"version", ORTHANC_ECG_VERSION},
                 {"queue", stats.queued + stats.in_progress},
                 {"ingested", stats.ingested},
                 {"failed", stats.failed},
                 {"change_seq_read", stats.read_seq},
                 {"cursor", stats.cursor},
                 {"backfilling", stats.backfilling},
                 {"database_recoveries", stats.recoveries},
                 {"unconfirmed_writes", stats.unconfirmed},
                 {"last_error", stats.last_error.empty() ? json(nullptr) : json(stats.last_error)}};
  try {
    status["ecgs"] = Store().CountEcgs();
    status["patients"] = Store().CountPatients();
    status["errors"] = Store().CountIngestErrors();
    status["measurements"] = MeasurementStatusJson(g_services);
    status["database"] = "ok";
  } catch (const Error& e) {
    status["ecgs"] = status["patients"] = status["errors"] = status["measurements"] = nullptr;
    status["database"] = e.what();
  }
  status["search"] = SearchStatusJson(g_services);
  status["reconciliation"] = ReconciliationStatusJson(g_services);
  return RestAnswer::Json(status);
}

RestAnswer HandlePatientEcgs(const RestRequest& request) {
  const std::string& patient = request.groups.at(0);
  RequireOrthancId(patient, "the patient ID");
  const std::vector<EcgRow> rows = Store().Timeline(patient);
  if (rows.empty()) throw Error::NotFound("no ECG of Orthanc patient " + patient + " in the store");
  json list = json::array();
  for (const EcgRow& row : rows) list.push_back(EcgRowJson(row));
  return RestAnswer::Json({{"patient", patient}, {"ecgs", list}});
}

RestAnswer HandleEcg(const RestRequest& request) {
  return RestAnswer::Json(EcgRowJson(RequireEcg(Store(), request.groups.at(0))));
}

// ?lead=, ?duration_ms=, ?rate_hz=: an excerpt for a preview (waveform/signal_excerpt.h); none of
// them: the whole signal.
std::optional<ExcerptRequest> ParseExcerpt(const RestRequest& request) {
  const std::optional<std::string> lead_name = request.Query("lead");
  if (!lead_name && !request.Query("duration_ms") && !request.Query("rate_hz")) return std::nullopt;
  ExcerptRequest excerpt;
  if (lead_name) {
    // One lead, or a preference list "II,I,V5": the first of them that the ECG holds.
    size_t from = 0;
    while (from <= lead_name->size()) {
      const size_t comma = std::min(lead_name->find(',', from), lead_name->size());
      const std::optional<Lead> lead = LeadFromName(lead_name->substr(from, comma - from));
      if (!lead) {
        throw Error::InvalidArgument(
            "query argument lead must be a lead name such as II, or several joined by commas");
      }
      excerpt.leads.push_back(*lead);
      from = comma + 1;
    }
    excerpt.first_held_only = excerpt.leads.size() > 1;
  }
  excerpt.duration_ms = static_cast<double>(request.QueryInt("duration_ms", 3600000, 100, 3600000));
  excerpt.rate_hz = static_cast<double>(request.QueryInt("rate_hz", 0, 50, 100000));
  return excerpt;
}

RestAnswer HandleSignal(const RestRequest& request) {
  const std::string format = request.Query("format").value_or("json");
  if (format != "json" && format != "csv" && format != "i16") {
    throw Error::InvalidArgument("query argument format must be json, csv or i16");
  }
  const std::optional<ExcerptRequest> excerpt = ParseExcerpt(request);
  const EcgRow row = RequireEcg(Store(), request.groups.at(0));
  std::optional<EcgSignal> signal = Store().LoadSignal(row.ecg_key);
  if (!signal) throw Error::NotFound("the ECG of instance " + row.orthanc.instance + " is gone");
  if (excerpt) signal = SignalExcerpt(*signal, *excerpt);
  if (format == "csv") return {200, SignalCsv(*signal), "text/csv"};
  if (format == "i16") return {200, EncodeSignalI16(*signal), "application/octet-stream"};
  return RestAnswer::Json(SignalJson(*signal));
}

RestAnswer HandleErrors(const RestRequest& request) {
  const int64_t limit = request.QueryInt("limit", 100, 1, 1000);
  const int64_t offset = request.QueryInt("offset", 0, 0, INT32_MAX);
  json list = json::array();
  for (const IngestError& error : Store().ListIngestErrors(limit, offset)) {
    list.push_back(IngestErrorJson(error));
  }
  return RestAnswer::Json({{"total", Store().CountIngestErrors()}, {"errors", list}});
}

RestAnswer HandleReindex(const RestRequest&) {
  g_services->ingester->RequestReindex();
  return RestAnswer::Json({{"reindex", "started"}});
}

const Route kRoutes[] = {
    {"/ecg/status", Endpoint<HandleStatus, kGet>},
    {"/ecg/patients/([^/]+)/ecgs", Endpoint<HandlePatientEcgs, kGet>},
    {"/ecg/ecgs/([^/]+)", Endpoint<HandleEcg, kGet>},
    {"/ecg/ecgs/([^/]+)/signal", Endpoint<HandleSignal, kGet>},
    {"/ecg/errors", Endpoint<HandleErrors, kGet>},
    {"/ecg/reindex", Endpoint<HandleReindex, kPost>},
};

}  // namespace

void RegisterRoutes(PluginServices* services) {
  g_services = services;
  RegisterRouteTable(kRoutes);
  RegisterSearchRoutes(services);
  RegisterTrainingRoutes(services);
  RegisterReconcileRoutes(services);
  RegisterMeasureRoutes(services);
  RegisterWebAssets();
}

EcgRow RequireEcg(EcgStore& store, const std::string& orthanc_instance_id) {
  RequireOrthancId(orthanc_instance_id, "the instance ID");
  std::optional<EcgRow> row = store.FindEcgByOrthancId(orthanc_instance_id);
  if (!row)
    throw Error::NotFound("no ECG of Orthanc instance " + orthanc_instance_id + " in the store");
  return *row;
}

}  // namespace ecg::plugin
