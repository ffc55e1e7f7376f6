#include "plugin/ingest/orthanc_changes.h"

#include <algorithm>

#include "plugin/orthanc_api.h"
#include "waveform/error.h"

namespace ecg::plugin {
namespace {

using nlohmann::json;

std::string StringField(const json& object, const char* key, const std::string& where) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) {
    throw Error::Corruption("Orthanc's answer to " + where + " has no string field " + key);
  }
  return object[key].get<std::string>();
}

int64_t IntField(const json& object, const char* key, const std::string& where) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_number_integer()) {
    throw Error::Corruption("Orthanc's answer to " + where + " has no integer field " + key);
  }
  return object[key].get<int64_t>();
}

json RequiredJson(const std::string& uri) {
  std::optional<json> answer = orthanc::RestGetJson(uri);
  if (!answer) throw Error::Unavailable("Orthanc does not know " + uri);
  return *answer;
}

}  // namespace

ChangesPage ReadChanges(int64_t since, size_t limit) {
  const std::string uri =
      "/changes?since=" + std::to_string(since) + "&limit=" + std::to_string(limit);
  const json answer = RequiredJson(uri);
  ChangesPage page;
  page.last = std::max(since, IntField(answer, "Last", uri));
  page.done = answer.value("Done", false);
  if (!answer.contains("Changes") || !answer["Changes"].is_array()) {
    throw Error::Corruption("Orthanc's answer to " + uri + " has no Changes array");
  }
  for (const json& entry : answer["Changes"]) {
    page.changes.push_back({IntField(entry, "Seq", uri), StringField(entry, "ChangeType", uri),
                            StringField(entry, "ResourceType", uri),
                            StringField(entry, "ID", uri)});
  }
  return page;
}

int64_t LastChangeSeq() {
  return IntField(RequiredJson("/changes?last"), "Last", "/changes?last");
}

std::vector<std::string> ListInstances(size_t since, size_t limit) {
  const std::string uri =
      "/instances?since=" + std::to_string(since) + "&limit=" + std::to_string(limit);
  const json answer = RequiredJson(uri);
  if (!answer.is_array()) throw Error::Corruption("Orthanc's answer to " + uri + " is no array");
  std::vector<std::string> ids;
  for (const json& id : answer) {
    if (!id.is_string()) throw Error::Corruption("Orthanc's answer to " + uri + " holds a non-ID");
    ids.push_back(id.get<std::string>());
  }
  return ids;
}

bool InstanceExists(const std::string& instance_id) {
  return orthanc::RestGet("/instances/" + instance_id + "/metadata").has_value();
}

std::optional<std::string> InstanceSopClass(const std::string& instance_id) {
  return orthanc::RestGet("/instances/" + instance_id + "/metadata/SopClassUid");
}

std::optional<OrthancIds> InstanceParents(const std::string& instance_id) {
  const std::string instance_uri = "/instances/" + instance_id;
  std::optional<json> instance = orthanc::RestGetJson(instance_uri);
  if (!instance) return std::nullopt;
  std::optional<json> study = orthanc::RestGetJson(instance_uri + "/study");
  if (!study) return std::nullopt;
  OrthancIds ids;
  ids.instance = instance_id;
  ids.series = StringField(*instance, "ParentSeries", instance_uri);
  ids.study = StringField(*study, "ID", instance_uri + "/study");
  ids.patient = StringField(*study, "ParentPatient", instance_uri + "/study");
  return ids;
}

}  // namespace ecg::plugin
