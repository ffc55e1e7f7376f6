// Nothing is lost and nothing lands twice: ECGs survive a PostgreSQL outage and an Orthanc
// restart in the middle of an upload, instances stored before the plugin was enabled are
// backfilled, and instances that are not (valid) ECGs are recorded or skipped while the others
// land.
#include <atomic>
#include <fstream>
#include <iterator>
#include <set>
#include <stdexcept>

#include "tests/plugin/plugin_fixture.h"

namespace ecg::testing {
namespace {

using nlohmann::json;

// The size: 1,000 ECGs per outage test, 2 s long (the same decode, canonicalise and write
// paths as 10 s ECGs at a fifth of the generation, upload and ingest cost on two cores), generated
// once per test process and shared by both tests (each has its own Orthanc and database). A queue
// of 100 makes the reader pause on a full queue during the outage, as a long one would.
constexpr size_t kOutagePatients = 100;
constexpr size_t kOutageEcgsPerPatient = 10;
constexpr int64_t kOutageEcgs = kOutagePatients * kOutageEcgsPerPatient;
constexpr double kOutageEcgDurationS = 2.0;
constexpr int kOutageQueueSize = 100;

const std::vector<DicomEcg>& OutageEcgs() {
  static const std::vector<DicomEcg> ecgs =
      SyntheticDicomEcgs(kOutagePatients, kOutageEcgsPerPatient, /*seed=*/21, kOutageEcgDurationS);
  return ecgs;
}

// A DICOM file written by DCMTK's dump2dcm from a textual dump; throws on failure.
std::string DumpToDicom(const TempDir& dir, const std::string& name, const std::string& dump) {
  const std::string dump_path = dir.File(name + ".dump");
  const std::string dicom_path = dir.File(name + ".dcm");
  std::ofstream(dump_path) << dump;
  std::string output;
  if (RunCommand("dump2dcm '" + dump_path + "' '" + dicom_path + "'", &output) != 0) {
    throw std::runtime_error("dump2dcm failed: " + output);
  }
  std::ifstream file(dicom_path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

std::string InstanceDump(const std::string& sop_class, const std::string& suffix) {
  return "(0008,0016) UI " + sop_class + "\n(0008,0018) UI 1.2.826.0.1.3680043.10.1." + suffix +
         "\n(0010,0020) LO BROKEN-" + suffix + "\n(0020,000d) UI 1.2.826.0.1.3680043.10.2." +
         suffix + "\n(0020,000e) UI 1.2.826.0.1.3680043.10.3." + suffix + "\n";
}

// Uploads every file in order over REST with `clients` parallel clients; fault() runs once,
// from the main thread, when `fault_after` uploads have been answered.
void UploadAll(OrthancServer& orthanc, const std::vector<DicomEcg>& ecgs, size_t fault_after,
               const std::function<void()>& fault) {
  std::atomic<size_t> next{0};
  std::atomic<size_t> answered{0};
  auto upload = [&] {
    std::unique_ptr<HttpClient> http = orthanc.NewClient();
    for (size_t i = next++; i < ecgs.size(); i = next++) {
      EXPECT_EQ(http->Post("/instances", ecgs[i].bytes).status, 200);
      ++answered;
    }
  };
  std::thread first(upload), second(upload);
  while (answered < fault_after) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  fault();
  first.join();
  second.join();
}

// The ECGs with an undecodable 12-lead ECG instance (no waveform) after every 100th: while the
// queue drains after an outage, workers take full batches, and these land inside them.
std::vector<DicomEcg> WithUndecodableInstances(const std::vector<DicomEcg>& ecgs,
                                               const TempDir& dir, size_t* undecodable) {
  std::vector<DicomEcg> uploads;
  for (size_t i = 0; i < ecgs.size(); ++i) {
    uploads.push_back(ecgs[i]);
    if (i % 100 != 50) continue;
    const std::string suffix = "4" + std::to_string(i);
    uploads.push_back({{},
                       DumpToDicom(dir, "broken" + suffix,
                                   InstanceDump("1.2.840.10008.5.1.4.1.1.9.1.1", suffix))});
    ++*undecodable;
  }
  return uploads;
}

TEST_F(PluginTest, EveryEcgLandsOnceWhenPostgresStopsInTheMiddleOfAnUpload) {
  PostgresServer postgres;  // its own server: the shared one keeps serving other tests
  uri_ = postgres.CreateDatabase("outage");
  json section = EcgSection(uri_);
  section["QueueSize"] = kOutageQueueSize;
  auto orthanc = StartOrthanc(section);

  size_t undecodable = 0;
  const std::vector<DicomEcg> uploads = WithUndecodableInstances(OutageEcgs(), dir_, &undecodable);

  UploadAll(*orthanc, uploads, uploads.size() / 4, [&] { postgres.Stop(); });
  const json status = GetJson(orthanc->http(), "/ecg/status");
  EXPECT_NE(status["database"], "ok");
  EXPECT_TRUE(status["ecgs"].is_null());
  EXPECT_EQ(orthanc->http().Get("/system").status, 200);  // Orthanc keeps answering
  postgres.Start();

  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == kOutageEcgs; }, std::chrono::seconds(180)))
      << CountEcgs() << "\n"
      << orthanc->LogTail();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(CountEcgs(), kOutageEcgs);
  EXPECT_EQ(Store().CountPatients(), static_cast<int64_t>(kOutagePatients));
  EXPECT_EQ(Store().CountIngestErrors(), static_cast<int64_t>(undecodable));
  EXPECT_EQ(GetJson(orthanc->http(), "/ecg/status")["database"], "ok");
}

TEST_F(PluginTest, EveryEcgLandsOnceWhenOrthancRestartsInTheMiddleOfAnUpload) {
  json section = EcgSection();
  section["QueueSize"] = kOutageQueueSize;
  auto orthanc = StartOrthanc(section);
  const std::vector<DicomEcg>& ecgs = OutageEcgs();
  const std::vector<DicomEcg> first_half(ecgs.begin(), ecgs.begin() + kOutageEcgs / 2);
  const std::vector<DicomEcg> second_half(ecgs.begin() + kOutageEcgs / 2, ecgs.end());

  UploadAll(*orthanc, first_half, first_half.size(), [] {});
  orthanc->Restart();  // while the first half is still being ingested
  UploadAll(*orthanc, second_half, second_half.size(), [] {});

  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == kOutageEcgs; }, std::chrono::seconds(180)))
      << CountEcgs() << "\n"
      << orthanc->LogTail();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(CountEcgs(), kOutageEcgs);
  EXPECT_EQ(Store().CountIngestErrors(), 0);
}

TEST_F(PluginTest, EcgsStoredBeforeThePluginWasEnabledAreBackfilled) {
  json disabled = EcgSection();
  disabled["Enable"] = false;
  auto orthanc = StartOrthanc(disabled);
  EXPECT_EQ(orthanc->http().Get("/ecg/status").status, 404);  // loaded, doing nothing
  for (const DicomEcg& ecg : SyntheticDicomEcgs(3, 2, /*seed=*/23)) Upload(orthanc->http(), ecg);
  EXPECT_LE(CountEcgs(), 0);  // -1: not even the schema exists yet

  orthanc->Stop();
  orthanc->SetEcgSection(EcgSection());
  orthanc->Start();
  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == 6; })) << orthanc->LogTail();
  EXPECT_EQ(Store().CountPatients(), 3);
}

TEST_F(PluginTest, ReindexReingestsEveryEcgWithoutDuplicates) {
  auto orthanc = StartOrthanc(EcgSection());
  for (const DicomEcg& ecg : SyntheticDicomEcgs(2, 2, /*seed=*/24)) Upload(orthanc->http(), ecg);
  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == 4; })) << orthanc->LogTail();
  const int64_t before = GetJson(orthanc->http(), "/ecg/status")["ingested"];

  EXPECT_EQ(orthanc->http().Post("/ecg/reindex", "").status, 200);
  ASSERT_TRUE(WaitUntil([&] {
    return GetJson(orthanc->http(), "/ecg/status")["ingested"].get<int64_t>() == before + 4;
  })) << orthanc->LogTail();
  EXPECT_EQ(CountEcgs(), 4);
}

TEST_F(PluginTest, MalformedAndNonEcgInstancesAreRecordedOrSkippedWhileOthersLand) {
  auto orthanc = StartOrthanc(EcgSection());
  // A 12-lead ECG instance without any waveform, and a CT image header: both stored by Orthanc.
  const std::string broken =
      DumpToDicom(dir_, "broken", InstanceDump("1.2.840.10008.5.1.4.1.1.9.1.1", "1"));
  const std::string ct = DumpToDicom(dir_, "ct", InstanceDump("1.2.840.10008.5.1.4.1.1.2", "2"));
  const std::string broken_id = Upload(orthanc->http(), {{}, broken})["ID"];
  Upload(orthanc->http(), {{}, ct});
  for (const DicomEcg& ecg : SyntheticDicomEcgs(1, 2, /*seed=*/25)) Upload(orthanc->http(), ecg);

  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == 2; })) << orthanc->LogTail();
  ASSERT_TRUE(WaitUntil([&] { return Store().CountIngestErrors() == 1; })) << orthanc->LogTail();
  const json errors = GetJson(orthanc->http(), "/ecg/errors");
  ASSERT_EQ(errors["errors"].size(), 1u);
  EXPECT_EQ(errors["errors"][0]["orthanc_instance"], broken_id);
  EXPECT_FALSE(errors["errors"][0]["reason"].get<std::string>().empty());
  EXPECT_EQ(orthanc->http().Get("/instances/" + broken_id).status, 200);     // Orthanc keeps it
  EXPECT_EQ(orthanc->LogTail(1 << 20).find("BROKEN-1"), std::string::npos);  // no PatientID
  EXPECT_FALSE(GetJson(orthanc->http(), "/ecg/status")["last_error"].is_null());
}

TEST_F(PluginTest, ABadConfigurationValueIsLoggedWithItsKeyAndOrthancKeepsServing) {
  json section = EcgSection();
  section["Threads"] = 0;
  auto orthanc = StartOrthanc(section);
  EXPECT_NE(orthanc->LogTail(1 << 20).find("Ecg.Threads must be an integer from 1 to 16"),
            std::string::npos);
  EXPECT_EQ(orthanc->http().Get("/system").status, 200);
  EXPECT_EQ(orthanc->http().Get("/ecg/status").status, 404);
}

}  // namespace
}  // namespace ecg::testing
