#include "plugin/ecg_json.h"

#include <spdlog/spdlog.h>

#include <ctime>

namespace ecg::plugin {
namespace {

using nlohmann::json;

const char* LeadStatusName(LeadStatus status) {
  switch (status) {
    case LeadStatus::kRecorded:
      return "recorded";
    case LeadStatus::kDerived:
      return "derived";
    case LeadStatus::kMissing:
      break;
  }
  return "missing";
}

std::string IsoTime(int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  char millis[8];
  std::snprintf(millis, sizeof(millis), ".%03d", static_cast<int>(((ms % 1000) + 1000) % 1000));
  return std::string(text) + millis;
}

json LeadsJson(const LeadMask& mask) {
  json leads = json::object();
  for (Lead lead : AllLeads())
    leads[std::string(LeadName(lead))] = LeadStatusName(mask.status(lead));
  return leads;
}

json MeasurementsJson(const std::vector<Measurement>& measurements) {
  json list = json::array();
  for (const Measurement& m : measurements) {
    list.push_back({{"name", m.name}, {"code", m.code}, {"value", m.value}, {"unit", m.unit}});
  }
  return list;
}

}  // namespace

json EcgRowJson(const EcgRow& row) {
  json out = {
      {"ecg_key", row.ecg_key},
      {"patient_key", row.patient_key},
      {"orthanc",
       {{"instance", row.orthanc.instance},
        {"series", row.orthanc.series},
        {"study", row.orthanc.study},
        {"patient", row.orthanc.patient}}},
      {"sop_instance_uid", row.sop_instance_uid},
      {"study_instance_uid", row.study_instance_uid},
      {"series_instance_uid", row.series_instance_uid},
      {"sop_class_uid", row.sop_class_uid},
      {"acquisition_time_ms", Optional(row.acquisition_time_ms)},
      {"acquisition_time",
       row.acquisition_time_ms ? json(IsoTime(*row.acquisition_time_ms)) : json(nullptr)},
      {"utc_offset_minutes", Optional(row.utc_offset_minutes)},
      {"acquisition_time_source", row.acquisition_time_source},
      {"sex", row.sex},
      {"patient_age_years", Optional(row.patient_age_years)},
      {"source_rate_hz", row.source_rate_hz},
      {"duration_ms", row.duration_ms},
      {"leads", LeadsJson(row.lead_mask)},
      {"manufacturer", row.manufacturer},
      {"model", row.model},
      {"low_frequency_filter_hz", Optional(row.low_frequency_filter_hz)},
      {"high_frequency_filter_hz", Optional(row.high_frequency_filter_hz)},
      {"notch_filter_hz", Optional(row.notch_filter_hz)},
      {"measurements", MeasurementsJson(row.measurements)},
      {"product_measurements", ProductMeasurementsJson(row)},
      {"statements", row.statements},
      {"ingested_at_ms", row.ingested_at_ms},
  };
  return out;
}

json ProductMeasurementsJson(const EcgRow& row) {
  if (row.product_measurements_json.empty()) return nullptr;
  json parsed = json::parse(row.product_measurements_json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    spdlog::error("stored measurements of ECG {} do not parse", row.ecg_key);
    return nullptr;
  }
  return parsed;
}

json IngestErrorJson(const IngestError& error) {
  return {{"orthanc_instance", error.orthanc_instance_id},
          {"reason", error.reason},
          {"first_seen_ms", error.first_seen_ms},
          {"last_seen_ms", error.last_seen_ms},
          {"attempts", error.attempts}};
}

json SignalJson(const EcgSignal& signal) {
  json leads = json::array();
  for (Lead lead : AllLeads()) {
    const float* samples = signal.lead_uV(lead);
    leads.push_back(
        {{"lead", std::string(LeadName(lead))},
         {"status", LeadStatusName(signal.status(lead))},
         {"samples", std::vector<float>(samples, samples + signal.samples_per_lead())}});
  }
  return {{"sample_rate_hz", signal.sample_rate_hz()},
          {"samples_per_lead", signal.samples_per_lead()},
          {"units", "uV"},
          {"leads", leads}};
}

std::string SignalCsv(const EcgSignal& signal) {
  std::string csv = "time_ms";
  for (Lead lead : AllLeads()) csv += "," + std::string(LeadName(lead));
  csv += "\n";
  char number[32];
  for (size_t t = 0; t < signal.samples_per_lead(); ++t) {
    std::snprintf(number, sizeof(number), "%.3f", 1000.0 * t / signal.sample_rate_hz());
    csv += number;
    for (Lead lead : AllLeads()) {
      std::snprintf(number, sizeof(number), ",%.0f", signal.lead_uV(lead)[t]);
      csv += number;
    }
    csv += "\n";
  }
  return csv;
}

}  // namespace ecg::plugin
