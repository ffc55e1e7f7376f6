// fault_run: the fault-injection driver shared by the durability tests (tests/plugin/
// durability_test.cc) and the soak benchmark (bench/fault_soak_bench.cc).
//
// UploadWhileCrashing() uploads files over REST with parallel clients while a second thread
// crashes PostgreSQL at random moments (seeded: the same seed gives the same crash times and
// kinds) and starts it again after a random pause; the crashes go on after the uploads end
// until all are done, so that some hit the ingest's catch-up. CountOutcome() compares what
// Orthanc holds with the store: every instance must be in the store (exactly once: the
// store's keys are unique) or listed as an ingest error; `lost` counts the others.
//
// Thread safety: none; from the test's main thread. Errors: std::runtime_error from the servers'
// harnesses.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/orthanc_server.h"
#include "tests/support/postgres_server.h"

namespace ecg::testing {

struct CrashPlan {
  int crashes = 3;
  uint64_t seed = 1;
  double max_up_s = 1.5;    // each crash after a uniform 0.1..max_up_s of service
  double max_down_s = 1.5;  // and a uniform 0.1..max_down_s outage
  size_t clients = 2;       // parallel REST uploaders
};

struct FaultCounts {
  size_t uploaded = 0;   // instances Orthanc holds
  size_t in_store = 0;   // of those, in the store
  size_t errors = 0;     // of those, listed as ingest errors
  size_t lost = 0;       // of those, neither
  size_t extra = 0;      // store rows of instances Orthanc does not hold
  std::string Describe() const;  // "uploaded 300, in store 300, errors 0, lost 0, extra 0"
};

// Returns the number of crashes made (plan.crashes unless a harness call failed).
int UploadWhileCrashing(OrthancServer& orthanc, PostgresServer& postgres,
                        const std::vector<std::string>& files, const CrashPlan& plan);

// Uploads every file with `clients` parallel REST clients, no fault.
void UploadFiles(OrthancServer& orthanc, const std::vector<std::string>& files, size_t clients = 2);

// What Orthanc holds against the store of database `uri` on `postgres` (which must be running).
FaultCounts CountOutcome(OrthancServer& orthanc, PostgresServer& postgres, const std::string& uri);

// Polls CountOutcome until nothing is lost and nothing extra, or timeout; returns the last counts.
FaultCounts WaitForNoLoss(OrthancServer& orthanc, PostgresServer& postgres, const std::string& uri,
                          std::chrono::seconds timeout);

// The seed of a fault test: ORTHANC_ECG_FAULT_SEED when set (to reproduce a failure), else
// `fallback`.
uint64_t FaultSeed(uint64_t fallback);

}  // namespace ecg::testing
