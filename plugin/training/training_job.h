// The Orthanc job that mirrors one training run in /jobs and Orthanc Explorer (type
// "OrthancEcgTraining"): progress in percent, and as content {"RunId", "Status", "Phase",
// "Device", "EcgCount", "Progress" (the worker's details: ECG/s, losses, step), "Reason"}.
//
// The job does no work itself: each step reads the run from the store (EcgStore::FindRun),
// updates progress and content, and waits a second; it succeeds when the run succeeds and fails
// when the run ends otherwise (failed, interrupted, cancelled). Cancelling the job in Orthanc
// asks the run to stop (EcgStore::RequestCancel): the worker sees it in its next heartbeat.
// Pausing the job only pauses the mirror. The job is not serialised (it is not resumed after a
// restart of Orthanc; the supervisor submits a new one for a run that is still open).
//
// Thread safety: Orthanc calls the callbacks from its job threads; the job guards its state
// with a mutex. A database error during a step is logged and retried at the next step.
// Errors: SubmitTrainingJob throws Error::Unavailable when Orthanc refuses the job.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "storage/ecg_store.h"

namespace ecg::plugin {

constexpr const char* kTrainingJobType = "OrthancEcgTraining";

// Returns Orthanc's job ID.
std::string SubmitTrainingJob(std::shared_ptr<EcgStore> store, int64_t run_id);

}  // namespace ecg::plugin
