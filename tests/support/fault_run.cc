#include "tests/support/fault_run.h"

#include <atomic>
#include <cstdlib>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

namespace ecg::testing {
namespace {

std::set<std::string> Lines(const std::string& text) {
  std::set<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.insert(line);
  }
  return lines;
}

std::chrono::milliseconds Uniform(std::mt19937_64& rng, double low_s, double high_s) {
  std::uniform_real_distribution<double> seconds(low_s, std::max(low_s, high_s));
  return std::chrono::milliseconds(static_cast<int64_t>(seconds(rng) * 1000));
}

}  // namespace

std::string FaultCounts::Describe() const {
  std::ostringstream text;
  text << "uploaded " << uploaded << ", in store " << in_store << ", errors " << errors
       << ", lost " << lost << ", extra " << extra;
  return text.str();
}

namespace {

struct Uploads {
  std::atomic<size_t> next{0};
  std::atomic<size_t> failed{0};  // uploads Orthanc did not answer with 200
  std::vector<std::thread> threads;
};

// Starts `clients` threads uploading files in order.
void StartUploads(OrthancServer& orthanc, const std::vector<std::string>& files, size_t clients,
                  Uploads* uploads) {
  for (size_t c = 0; c < clients; ++c) {
    uploads->threads.emplace_back([&orthanc, &files, uploads] {
      std::unique_ptr<HttpClient> http = orthanc.NewClient();
      for (size_t i = uploads->next++; i < files.size(); i = uploads->next++) {
        try {
          if (http->Post("/instances", files[i]).status != 200) ++uploads->failed;
        } catch (const std::exception&) {
          ++uploads->failed;
        }
      }
    });
  }
}

// Waits for the uploads; throws if any failed (Orthanc must accept every file, whatever the
// store's state).
void JoinUploads(Uploads* uploads) {
  for (std::thread& thread : uploads->threads) thread.join();
  if (uploads->failed > 0) {
    throw std::runtime_error(std::to_string(uploads->failed.load()) + " uploads failed");
  }
}

}  // namespace

void UploadFiles(OrthancServer& orthanc, const std::vector<std::string>& files, size_t clients) {
  Uploads uploads;
  StartUploads(orthanc, files, clients, &uploads);
  JoinUploads(&uploads);
}

int UploadWhileCrashing(OrthancServer& orthanc, PostgresServer& postgres,
                        const std::vector<std::string>& files, const CrashPlan& plan) {
  Uploads uploads;
  StartUploads(orthanc, files, plan.clients, &uploads);
  std::mt19937_64 rng(plan.seed);
  int crashes = 0;
  for (; crashes < plan.crashes; ++crashes) {
    std::this_thread::sleep_for(Uniform(rng, 0.1, plan.max_up_s));
    if (rng() % 2 == 0) {
      postgres.CrashImmediate();
    } else {
      postgres.KillAll();
    }
    std::this_thread::sleep_for(Uniform(rng, 0.1, plan.max_down_s));
    postgres.Start();
  }
  JoinUploads(&uploads);
  return crashes;
}

FaultCounts CountOutcome(OrthancServer& orthanc, PostgresServer& postgres, const std::string& uri) {
  const HttpResponse listing = orthanc.http().Get("/instances");
  if (listing.status != 200) throw std::runtime_error("GET /instances failed");
  std::set<std::string> held;
  for (const auto& id : nlohmann::json::parse(listing.body)) held.insert(id.get<std::string>());
  const std::set<std::string> stored =
      Lines(postgres.PsqlOnUri(uri, "SELECT orthanc_instance_id FROM ecgs"));
  const std::set<std::string> errors =
      Lines(postgres.PsqlOnUri(uri, "SELECT orthanc_instance_id FROM ingest_errors"));
  FaultCounts counts;
  counts.uploaded = held.size();
  for (const std::string& id : held) {
    if (stored.count(id)) {
      ++counts.in_store;
    } else if (errors.count(id)) {
      ++counts.errors;
    } else {
      ++counts.lost;
    }
  }
  for (const std::string& id : stored) counts.extra += held.count(id) == 0;
  return counts;
}

FaultCounts WaitForNoLoss(OrthancServer& orthanc, PostgresServer& postgres, const std::string& uri,
                          std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  FaultCounts counts;
  for (;;) {
    try {
      counts = CountOutcome(orthanc, postgres, uri);
      if (counts.lost == 0 && counts.extra == 0) return counts;
    } catch (const std::exception&) {
      // The schema may not exist yet, or the server is starting: count again.
    }
    if (std::chrono::steady_clock::now() > deadline) return counts;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

uint64_t FaultSeed(uint64_t fallback) {
  const char* text = std::getenv("ORTHANC_ECG_FAULT_SEED");
  return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 10) : fallback;
}

}  // namespace ecg::testing
