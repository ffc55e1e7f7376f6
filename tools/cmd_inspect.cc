// orthanc-ecg inspect FILE [--json] [--samples]
//
// Decodes one DICOM ECG and prints what it holds: SOP class, leads (recorded or derived from I
// and II), rate, duration, units, amplitude range, patient and time metadata, the device's
// measurements and statements, and the product's own measurements (waveform/ecg_measure.h).
// --json prints one JSON object instead, the device's measurements under "device_measurements"
// and the product's under "measurements" (waveform/measurements_json.h); --samples adds
// "signal_uV": {"I": [...], ...}, every lead at the file's own rate in microvolts after
// sensitivity, correction factor and baseline. A file that cannot be decoded: one line on stderr
// naming what is wrong and where, exit status 2 (tools/main.cc). The output shows the PatientID:
// it is meant for the administrator's terminal, never for logs.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <limits>
#include <string>

#include "tools/command.h"
#include "waveform/canonical.h"
#include "waveform/dicom/decoder.h"
#include "waveform/dicom/sop_class.h"
#include "waveform/ecg_signal.h"
#include "waveform/error.h"
#include "waveform/measurements_json.h"

namespace ecg::tools {

namespace {

using nlohmann::json;

struct InspectOptions {
  std::string path;
  bool json = false;     // one JSON object instead of text
  bool samples = false;  // add signal_uV (implies nothing else)
};

// The rhythm group's standard leads at the file's own rate, limb leads derived where possible.
// The first channel of a lead wins; channels that are no standard lead are left out.
EcgSignal LeadsAtOwnRate(const WaveformGroup& group) {
  EcgSignal signal(group.sample_rate_hz > 0 ? group.sample_rate_hz : 1.0,
                   group.samples_per_channel);
  for (const Channel& channel : group.channels) {
    if (!channel.lead || signal.status(*channel.lead) != LeadStatus::kMissing) continue;
    std::copy_n(channel.samples_uV.begin(),
                std::min(channel.samples_uV.size(), group.samples_per_channel),
                signal.lead_uV(*channel.lead));
    signal.set_status(*channel.lead, LeadStatus::kRecorded);
  }
  signal.DeriveLimbLeads();
  return signal;
}

std::string IsoTime(int64_t ms, bool utc) {
  const std::time_t seconds = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02d.%03d%s", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(((ms % 1000) + 1000) % 1000), utc ? "Z" : "");
  return buffer;
}

template <typename T>
json OrNull(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json GroupJson(const WaveformGroup& group) {
  json channels = json::array();
  for (const Channel& c : group.channels) {
    channels.push_back({{"label", c.label},
                        {"code", c.source_code},
                        {"lead", c.lead ? json(std::string(LeadName(*c.lead))) : json(nullptr)},
                        {"padding_samples", c.padding_samples}});
  }
  return {{"label", group.label},
          {"original", group.original},
          {"sample_rate_hz", group.sample_rate_hz},
          {"samples", group.samples_per_channel},
          {"duration_s", group.duration_ms() / 1000.0},
          {"channels", channels}};
}

json AmplitudeJson(const WaveformGroup& group) {
  float lo = std::numeric_limits<float>::infinity();
  float hi = -lo;
  for (const Channel& c : group.channels) {
    for (float v : c.samples_uV) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  if (lo > hi) return nullptr;
  return {{"min", lo}, {"max", hi}};
}

json MetadataJson(const EcgMetadata& m) {
  json acquisition = nullptr;
  if (m.acquisition_time_ms) {
    acquisition = {{"time", IsoTime(*m.acquisition_time_ms, m.utc_offset_minutes.has_value())},
                   {"time_ms", *m.acquisition_time_ms},
                   {"utc_offset_minutes", OrNull(m.utc_offset_minutes)},
                   {"source", m.acquisition_time_source}};
  }
  json measurements = json::array();
  for (const Measurement& x : m.measurements) {
    measurements.push_back(
        {{"name", x.name}, {"code", x.code}, {"value", x.value}, {"unit", x.unit}});
  }
  return {{"sop_class_uid", m.sop_class_uid},
          {"sop_class", std::string(dicom::SopClassName(m.sop_class_uid))},
          {"sop_instance_uid", m.sop_instance_uid},
          {"study_instance_uid", m.study_instance_uid},
          {"series_instance_uid", m.series_instance_uid},
          {"patient",
           {{"id", m.patient_id},
            {"issuer", m.issuer_of_patient_id},
            {"birth_date", m.birth_date},
            {"sex", m.sex},
            {"age_years", OrNull(m.patient_age_years)}}},
          {"acquisition", acquisition},
          {"device", {{"manufacturer", m.manufacturer}, {"model", m.model}}},
          {"filters",
           {{"low_hz", OrNull(m.low_frequency_filter_hz)},
            {"high_hz", OrNull(m.high_frequency_filter_hz)},
            {"notch_hz", OrNull(m.notch_filter_hz)}}},
          {"device_measurements", measurements},
          {"statements", m.statements}};
}

// The product's measurements on the canonical signal (waveform/ecg_measure.h); a rhythm group
// that cannot be canonicalised (no standard lead) gives every field null with the reason.
EcgMeasurements ProductMeasurements(const EcgRecord& record) {
  MeasureOptions options;
  options.source_sample_rate_hz = record.rhythm.sample_rate_hz;
  try {
    return MeasureEcg(Canonicalise(record.rhythm), options);
  } catch (const Error&) {
    return MeasureEcg(EcgSignal(kCanonicalRate_hz, 0), options);
  }
}

json InspectJson(const EcgRecord& record, bool with_samples) {
  json out = MetadataJson(record.metadata);
  const EcgSignal leads = LeadsAtOwnRate(record.rhythm);
  json lead_status = json::object();
  json signal = json::object();
  for (Lead lead : AllLeads()) {
    const LeadStatus status = leads.status(lead);
    const std::string name(LeadName(lead));
    lead_status[name] = status == LeadStatus::kRecorded  ? "recorded"
                        : status == LeadStatus::kDerived ? "derived"
                                                         : "missing";
    if (with_samples && status != LeadStatus::kMissing) {
      signal[name] =
          std::vector<float>(leads.lead_uV(lead), leads.lead_uV(lead) + leads.samples_per_lead());
    }
  }
  out["rhythm"] = GroupJson(record.rhythm);
  out["leads"] = lead_status;
  out["units"] = "uV";
  out["amplitude_uV"] = AmplitudeJson(record.rhythm);
  out["median_beat"] = record.median_beat ? GroupJson(*record.median_beat) : json(nullptr);
  out["measurements"] = MeasurementsToJson(ProductMeasurements(record));
  out["other_groups"] = json::array();
  for (const WaveformGroup& g : record.other_groups) out["other_groups"].push_back(GroupJson(g));
  if (with_samples) out["signal_uV"] = signal;
  return out;
}

std::string Text(const json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>().empty() ? "-" : v.get<std::string>();
  return v.dump();
}

std::string LeadsWith(const json& leads, const char* status) {
  std::string names;
  for (Lead lead : AllLeads()) {
    if (leads[std::string(LeadName(lead))] == status) names += " " + std::string(LeadName(lead));
  }
  return names.empty() ? " -" : names;
}

void PrintGroup(std::ostream& out, const char* title, const json& g) {
  char line[160];
  std::snprintf(line, sizeof(line), "%s: \"%s\", %zu channels x %zu samples at %g Hz (%.3f s)%s\n",
                title, g["label"].get<std::string>().c_str(), g["channels"].size(),
                g["samples"].get<size_t>(), g["sample_rate_hz"].get<double>(),
                g["duration_s"].get<double>(), g["original"].get<bool>() ? "" : ", derived");
  out << line;
}

void PrintText(std::ostream& out, const std::string& path, const json& j) {
  const json& p = j["patient"];
  const json& a = j["acquisition"];
  const json& f = j["filters"];
  out << "file:          " << path << "\n"
      << "SOP class:     " << Text(j["sop_class"]) << " (" << Text(j["sop_class_uid"]) << ")\n"
      << "SOP instance:  " << Text(j["sop_instance_uid"]) << "\n"
      << "study/series:  " << Text(j["study_instance_uid"]) << " / "
      << Text(j["series_instance_uid"]) << "\n"
      << "patient:       id " << Text(p["id"]) << " (issuer " << Text(p["issuer"]) << "), born "
      << Text(p["birth_date"]) << ", sex " << Text(p["sex"]) << ", age " << Text(p["age_years"])
      << "\n"
      << "acquired:      "
      << (a.is_null() ? "-" : Text(a["time"]) + " (from " + Text(a["source"]) + " date-time)")
      << "\n"
      << "device:        " << Text(j["device"]["manufacturer"]) << " / "
      << Text(j["device"]["model"]) << "\n"
      << "filters (Hz):  low " << Text(f["low_hz"]) << ", high " << Text(f["high_hz"]) << ", notch "
      << Text(f["notch_hz"]) << "\n";
  PrintGroup(out, "rhythm", j["rhythm"]);
  out << "leads recorded:" << LeadsWith(j["leads"], "recorded") << "\n"
      << "leads derived: " << LeadsWith(j["leads"], "derived") << "\n"
      << "leads missing: " << LeadsWith(j["leads"], "missing") << "\n"
      << "units:         uV (after sensitivity, correction factor and baseline)\n";
  const json& amp = j["amplitude_uV"];
  out << "amplitude:     "
      << (amp.is_null() ? "-" : Text(amp["min"]) + " .. " + Text(amp["max"]) + " uV") << "\n";
  if (!j["median_beat"].is_null()) PrintGroup(out, "median beat", j["median_beat"]);
  for (const json& g : j["other_groups"]) PrintGroup(out, "other group", g);
  const json& product = j["measurements"];
  out << "product:       rhythm " << Text(product["rhythm"]) << "\n";
  for (const std::string& field : MeasurementFieldNames()) {
    out << "  " << field << " = "
        << (product[field].is_null() ? "null (" + Text(product["reasons"][field]) + ")"
                                     : Text(product[field]))
        << "\n";
  }
  out << "device measurements: " << j["device_measurements"].size() << "\n";
  for (const json& m : j["device_measurements"]) {
    out << "  " << Text(m["name"]) << " = " << Text(m["value"]) << " " << Text(m["unit"]) << "  ["
        << Text(m["code"]) << "]\n";
  }
  out << "statements:    " << j["statements"].size() << "\n";
  for (const json& s : j["statements"]) out << "  " << s.get<std::string>() << "\n";
}

void Run(const InspectOptions& options) {
  const EcgRecord record = dicom::DecodeEcgFile(options.path);
  const json j = InspectJson(record, options.samples);
  if (options.json || options.samples) {
    std::cout << j.dump() << "\n";
  } else {
    PrintText(std::cout, options.path, j);
  }
}

void Setup(CLI::App& app) {
  auto options = std::make_shared<InspectOptions>();
  CLI::App* cmd = app.add_subcommand("inspect", "Decode a DICOM ECG and show what it holds");
  cmd->add_option("file", options->path, "DICOM file")->required();
  cmd->add_flag("--json", options->json, "print one JSON object");
  cmd->add_flag("--samples", options->samples,
                "add signal_uV: every lead at the file's rate, in microvolts (implies --json)");
  cmd->callback([options] { Run(*options); });
}

}  // namespace

ORTHANC_ECG_COMMAND("inspect", Setup);

}  // namespace ecg::tools
