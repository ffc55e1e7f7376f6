// Names for the plugin's own threads, as `top -H`, `ps -L` and perf show them next to Orthanc's
// ("ecg-reader", "ecg-ingest", "ecg-embed", "ecg-training"), so that an administrator can tell
// which of Orthanc's threads are the plugin's. Linux keeps at most 15 characters: longer names
// are cut. Naming is best effort: a refusal changes nothing else. Thread-safe.
#pragma once

namespace ecg::plugin {

void NameCurrentThread(const char* name);

}  // namespace ecg::plugin
