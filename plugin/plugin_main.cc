// The Orthanc entry points of libOrthancEcg.so, in the DICOMweb plugin's order: context and
// logging, version check, description, then (in one try block) the configuration, the route table
// and the change callback. Work that needs a running Orthanc (its REST API, the change log)
// starts on OrthancStarted and stops on OrthancStopped: the ingester at once, the threads that
// read the store's tables (search, training) only once the ingester has migrated the store
// (plugin/start_when_ready.h), so that a first start on an empty database logs no error.
// No exception crosses the C boundary.
#include <filesystem>
#include <memory>

#include <orthanc/OrthancCPlugin.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "plugin/orthanc_api.h"
#include "plugin/plugin_config.h"
#include "plugin/routes.h"
#include "plugin/start_when_ready.h"
#include "waveform/error.h"

namespace {

using ecg::plugin::Ingester;
using ecg::plugin::PluginServices;
using ecg::plugin::ResourceLevel;

std::unique_ptr<PluginServices> g_services;
// Starts search and training once the store is migrated (Ingester::ready()).
ecg::plugin::StartWhenReady g_after_migration;

void StartServices() {
  PluginServices* services = g_services.get();
  services->ingester->Start();
  services->reconciler->Start();  // waits itself until the store is migrated
  g_after_migration.Start([services] { return services->ingester->ready(); },
                          [services] {
                            services->search->Start();
                            services->training->Start();
                            services->measurer->Start();
                          });
}

void StopServices() {
  g_after_migration.Stop();  // after it, search and training are started or never will be
  g_services->measurer->Stop();
  g_services->training->Stop();
  g_services->search->Stop();
  g_services->reconciler->Stop();
  g_services->ingester->Stop();
}

std::optional<ResourceLevel> LevelOf(OrthancPluginResourceType type) {
  switch (type) {
    case OrthancPluginResourceType_Patient:
      return ResourceLevel::kPatient;
    case OrthancPluginResourceType_Study:
      return ResourceLevel::kStudy;
    case OrthancPluginResourceType_Series:
      return ResourceLevel::kSeries;
    case OrthancPluginResourceType_Instance:
      return ResourceLevel::kInstance;
    default:
      return std::nullopt;
  }
}

// Runs on Orthanc's change thread, one change at a time: only signals the ingester.
OrthancPluginErrorCode OnChange(OrthancPluginChangeType change, OrthancPluginResourceType type,
                                const char* resource_id) {
  try {
    Ingester& ingester = *g_services->ingester;
    switch (change) {
      case OrthancPluginChangeType_OrthancStarted:
        StartServices();
        break;
      case OrthancPluginChangeType_OrthancStopped:
        StopServices();
        break;
      case OrthancPluginChangeType_NewInstance:
        ingester.WakeUp();
        break;
      case OrthancPluginChangeType_Deleted:
        if (auto level = LevelOf(type)) ingester.OnDeleted(*level, resource_id);
        break;
      default:
        break;
    }
  } catch (const std::exception& e) {
    spdlog::error("change callback: {}", e.what());
  } catch (...) {
    spdlog::error("change callback: unknown exception");
  }
  return OrthancPluginErrorCode_Success;
}

// Runs on the thread storing the instance, before Orthanc answers the upload: reads what Orthanc
// holds in memory (the SOP class, the file) and notes it (an ECG's file is copied); nothing else.
OrthancPluginErrorCode OnStoredInstance(const OrthancPluginDicomInstance* instance,
                                        const char* instance_id) {
  try {
    OrthancPluginContext* context = ecg::plugin::orthanc::Context();
    if (OrthancPluginHasInstanceMetadata(context, instance, "SopClassUid") == 1) {
      const char* sop_class = OrthancPluginGetInstanceMetadata(context, instance, "SopClassUid");
      if (sop_class != nullptr) {
        const int64_t size = OrthancPluginGetInstanceSize(context, instance);
        g_services->ingester->NoteStoredInstance(instance_id, sop_class,
                                                 OrthancPluginGetInstanceData(context, instance),
                                                 size > 0 ? static_cast<size_t>(size) : 0);
      }
    }
  } catch (const std::exception& e) {
    spdlog::error("stored-instance callback: {}", e.what());
  } catch (...) {
    spdlog::error("stored-instance callback: unknown exception");
  }
  return OrthancPluginErrorCode_Success;
}

nlohmann::json OrthancConfiguration(OrthancPluginContext* context) {
  char* text = OrthancPluginGetConfiguration(context);
  if (text == nullptr) throw ecg::Error::Unavailable("Orthanc gave no configuration");
  nlohmann::json configuration = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  OrthancPluginFreeString(context, text);
  return configuration;
}

std::unique_ptr<PluginServices> CreateServices(const ecg::plugin::PluginConfig& config) {
  auto services = std::make_unique<PluginServices>();
  services->config = config;
  std::filesystem::create_directories(config.data_directory);
  ecg::StoreOptions options;
  options.connection_uri = config.connection_uri;
  // The workers, the reader, REST, and the background threads (embedder, measurer, reconciler,
  // training supervisor), which take a connection for one short statement at a time, and the
  // change reference's rebuild, which holds one for its pass (seconds on a large archive).
  options.pool_size = config.threads + 5;
  options.acquire_timeout = std::chrono::milliseconds(10000);
  services->store = std::make_shared<ecg::EcgStore>(options);
  services->ingester = std::make_unique<Ingester>(config, services->store);
  ecg::plugin::ReconcilerOptions reconcile;
  reconcile.on_start = config.reconcile_on_start;
  reconcile.interval =
      std::chrono::seconds(static_cast<int64_t>(config.reconcile_interval_h * 3600));
  services->reconciler = std::make_unique<ecg::plugin::Reconciler>(reconcile, services->store,
                                                                   services->ingester.get());
  ecg::plugin::SearchServiceOptions search;
  search.data_directory = config.data_directory;
  services->search = std::make_unique<ecg::plugin::SearchService>(search, services->store);
  ecg::plugin::TrainingSupervisorOptions training;
  training.settings = config.training;
  training.connection_uri = config.connection_uri;
  training.data_directory = config.data_directory;
  ecg::plugin::SearchService* search_service = services->search.get();
  training.on_run_finished = [search_service] { search_service->CheckModelNow(); };
  services->training = std::make_unique<ecg::plugin::TrainingSupervisor>(training, services->store);
  ecg::plugin::MeasurementBacklogOptions measuring;
  Ingester* ingester = services->ingester.get();
  measuring.busy = [ingester] { return ingester->Busy(); };
  services->measurer =
      std::make_unique<ecg::plugin::MeasurementBacklog>(measuring, services->store);
  ecg::plugin::MeasurementBacklog* measurer = services->measurer.get();
  ingester->SetUnmeasuredListener([measurer] { measurer->Wake(); });
  return services;
}

int32_t Initialize(OrthancPluginContext* context) {
  const std::optional<ecg::plugin::PluginConfig> config =
      ecg::plugin::ParsePluginConfig(OrthancConfiguration(context));
  if (!config) {
    spdlog::warn("ECG plugin disabled: no \"Ecg\" section or \"Enable\": false");
    return 0;
  }
  for (const std::string& key : config->unknown_keys) {
    spdlog::warn("unknown configuration key Ecg.{} ignored", key);
  }
  g_services = CreateServices(*config);
  ecg::plugin::RegisterRoutes(g_services.get());
  OrthancPluginRegisterOnChangeCallback(context, OnChange);
  OrthancPluginRegisterOnStoredInstanceCallback(context, OnStoredInstance);
  spdlog::info("ECG plugin {} enabled: {} ingest threads, data directory {}", ORTHANC_ECG_VERSION,
               config->threads, config->data_directory);
  return 0;
}

}  // namespace

extern "C" {

ORTHANC_PLUGINS_API int32_t OrthancPluginInitialize(OrthancPluginContext* context) {
  ecg::plugin::orthanc::SetContext(context);
  ecg::plugin::orthanc::InstallLogSink();
  if (!OrthancPluginCheckVersion(context)) {
    spdlog::error("the ECG plugin needs Orthanc {}.{}.{} or later, this is {}",
                  ORTHANC_PLUGINS_MINIMAL_MAJOR_NUMBER, ORTHANC_PLUGINS_MINIMAL_MINOR_NUMBER,
                  ORTHANC_PLUGINS_MINIMAL_REVISION_NUMBER, context->orthancVersion);
    return -1;
  }
  OrthancPluginSetDescription(context,
                              "Ingests DICOM ECGs into a longitudinal PostgreSQL store (/ecg/*).");
  try {
    return Initialize(context);
  } catch (const std::exception& e) {
    // A bad configuration must not stop the PACS: log it and stay disabled.
    spdlog::error("ECG plugin disabled: {}", e.what());
    g_services.reset();
    return 0;
  } catch (...) {
    spdlog::error("ECG plugin disabled: unknown exception during initialisation");
    g_services.reset();
    return 0;
  }
}

ORTHANC_PLUGINS_API void OrthancPluginFinalize() {
  try {
    if (g_services) StopServices();
    g_services.reset();
  } catch (...) {
  }
  ecg::plugin::orthanc::RemoveLogSink();
  ecg::plugin::orthanc::SetContext(nullptr);
}

ORTHANC_PLUGINS_API const char* OrthancPluginGetName() {
  return "orthanc-ecg";
}

ORTHANC_PLUGINS_API const char* OrthancPluginGetVersion() {
  return ORTHANC_ECG_VERSION;
}

}  // extern "C"
