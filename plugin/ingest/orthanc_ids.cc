#include "plugin/ingest/orthanc_ids.h"

namespace ecg::plugin {

std::optional<OrthancIds> ComputeOrthancIds(const EcgMetadata& metadata,
                                            const std::string& instance_id,
                                            const Sha1Function& sha1) {
  if (metadata.study_instance_uid.empty() || metadata.series_instance_uid.empty() ||
      metadata.sop_instance_uid.empty()) {
    return std::nullopt;  // Orthanc refuses such files; never guess
  }
  const std::string study_key = metadata.patient_id + "|" + metadata.study_instance_uid;
  const std::string series_key = study_key + "|" + metadata.series_instance_uid;
  if (sha1(series_key + "|" + metadata.sop_instance_uid) != instance_id) return std::nullopt;
  OrthancIds ids;
  ids.instance = instance_id;
  ids.series = sha1(series_key);
  ids.study = sha1(study_key);
  ids.patient = sha1(metadata.patient_id);
  return ids;
}

}  // namespace ecg::plugin
