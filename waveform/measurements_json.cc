#include "waveform/measurements_json.h"

#include <cmath>
#include <type_traits>

#include "waveform/error.h"

namespace ecg {
namespace {

using nlohmann::json;

// The quality flags with their JSON names, read and written by the same table.
template <typename Visit>
void VisitQuality(MeasurementQuality& q, Visit visit) {
  visit("leads_used", q.leads_used);
  visit("beats", q.beats);
  visit("beats_in_median", q.beats_in_median);
  visit("beat_consistency", q.beat_consistency);
  visit("flat", q.flat);
  visit("noisy", q.noisy);
  visit("irregular_rr", q.irregular_rr);
  visit("p_wave_consistent", q.p_wave_consistent);
  visit("low_sample_rate", q.low_sample_rate);
  visit("pacing_spikes", q.pacing_spikes);
  visit("reduced_leads", q.reduced_leads);
}

}  // namespace

json MeasurementsToJson(const EcgMeasurements& m) {
  json out = json::object();
  for (const std::string& name : MeasurementFieldNames()) {
    const std::optional<double> value = MeasurementField(m, name);
    out[name] = value ? json(*value) : json(nullptr);
  }
  out["rhythm"] = m.rhythm;
  json quality = json::object();
  MeasurementQuality q = m.quality;
  VisitQuality(q, [&](const char* name, auto& value) {
    if constexpr (std::is_same_v<std::decay_t<decltype(value)>, double>) {
      quality[name] = std::round(value * 100) / 100;
    } else {
      quality[name] = value;
    }
  });
  out["quality"] = quality;
  out["reasons"] = m.reasons;
  out["version"] = kMeasureVersion;
  return out;
}

EcgMeasurements MeasurementsFromJson(const json& j) {
  if (!j.is_object()) throw Error::Corruption("measurements: not a JSON object");
  EcgMeasurements m;
  const std::vector<std::string>& names = MeasurementFieldNames();
  for (size_t i = 0; i < names.size(); ++i) {
    const auto it = j.find(names[i]);
    if (it != j.end() && it->is_number()) SetMeasurementField(m, names[i], it->get<double>());
  }
  m.rhythm = j.value("rhythm", std::string("unknown"));
  if (const auto q = j.find("quality"); q != j.end() && q->is_object()) {
    VisitQuality(m.quality, [&](const char* name, auto& value) {
      const auto it = q->find(name);
      if (it != q->end() && (it->is_number() || it->is_boolean())) {
        value = it->get<std::decay_t<decltype(value)>>();
      }
    });
  }
  if (const auto r = j.find("reasons"); r != j.end() && r->is_object()) {
    for (const auto& [field, why] : r->items()) {
      if (why.is_string()) m.reasons[field] = why.get<std::string>();
    }
  }
  return m;
}

}  // namespace ecg
