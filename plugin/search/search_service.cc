#include "plugin/search/search_service.h"

#include <dlfcn.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "learning/model_zero.h"
#include "plugin/search/embedding_backlog.h"
#include "plugin/search/identity_backlog.h"
#include "plugin/thread_name.h"
#include "plugin/thread_priority.h"
#include "waveform/error.h"

namespace ecg::plugin {
namespace {

// How often the change reference's thread asks whether a rebuild is due.
constexpr std::chrono::seconds kChangeReferenceLook{5};

std::chrono::milliseconds Ms(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

// OpenBLAS keeps one pool of worker threads for the whole process, started when the library is
// loaded (by Orthanc's main thread, at normal priority). LibTorch's matrix products (the
// embedder's convolution and linear layers) handed about half of their work to that pool, at
// Orthanc's priority. With one BLAS thread the work stays in the calling thread. Process-wide:
// a search route's BLAS calls then also run in the request's own thread. A no-op when the BLAS
// in use is not OpenBLAS.
void UseOneBlasThread() {
  void* symbol = dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
  if (symbol == nullptr) {  // the plugin's libraries are not in the global scope
    if (void* library = dlopen("libopenblas.so.0", RTLD_LAZY | RTLD_NOLOAD)) {
      symbol = dlsym(library, "openblas_set_num_threads");
      dlclose(library);
    }
  }
  if (symbol == nullptr) return;
  reinterpret_cast<void (*)(int)>(symbol)(1);
  spdlog::info(
      "search: OpenBLAS limited to one thread (the embedder's work stays at low priority)");
}

}  // namespace

SearchService::SearchService(SearchServiceOptions options, std::shared_ptr<EcgStore> store)
    : options_(std::move(options)), store_(std::move(store)) {
  status_.state = "stopped";
}

SearchService::~SearchService() {
  Stop();
}

void SearchService::Start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  SetState("no model");
  thread_ = std::thread([this] { Loop(); });
  reference_thread_ = std::thread([this] { ChangeReferenceLoop(); });
}

void SearchService::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  reference_thread_.join();
  SetState("stopped");
}

void SearchService::CheckModelNow() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    check_model_now_ = true;
  }
  wake_.notify_all();
}

std::shared_ptr<const ServedModel> SearchService::Current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

SearchStatus SearchService::Status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  SearchStatus status = status_;
  if (current_) {
    status.model_id = current_->model_id;
    status.model_name = current_->name;
    status.model_kind = current_->kind;
    status.index_size = current_->index->size();
    status.approximate = current_->index->approximate();
  }
  return status;
}

void SearchService::Loop() {
  NameCurrentThread("ecg-embed");
  LowerCurrentThreadPriority();
  // Below the ingest workers, also at nice 19: otherwise the embedder takes half of what Orthanc
  // leaves them during a burst.
  RunCurrentThreadOnlyWhenIdle();
  UseOneBlasThread();
  while (!stopping_) {
    try {
      Iteration();
      SetError("");
    } catch (const std::exception& e) {
      spdlog::warn("search service: {}", e.what());
      SetError(e.what());
      Wait(std::chrono::seconds(1));
    }
  }
  try {
    MaintainIndex(/*force_save=*/true);
  } catch (const std::exception& e) {
    spdlog::warn("search service: saving the index at stop: {}", e.what());
  }
}

void SearchService::Iteration() {
  bool check_model = Clock::now() >= next_model_check_;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    check_model = check_model || check_model_now_;
    check_model_now_ = false;
  }
  if (check_model) {
    next_model_check_ = Clock::now() + Ms(options_.model_check_interval_s);
    FollowActiveModel();
  }
  if (!backlog_) return Wait(Ms(options_.model_check_interval_s));
  const Clock::time_point poll_start = Clock::now();
  const bool more = EmbedPending();
  MaintainIndex(/*force_save=*/false);
  if (more) return;
  if (identity_ && identity_->CheckBatch(options_.identity_batch) == options_.identity_batch) {
    return;  // more checks wait; new ECGs are embedded first at the next iteration
  }
  const auto poll =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - poll_start);
  Wait(
      std::max(Ms(options_.poll_interval_s), std::min(10 * poll, std::chrono::milliseconds(1000))));
}

void SearchService::FollowActiveModel() {
  if (!model_zero_ensured_) {
    // Registers model zero (active when nothing else is); renews it when its formula changed.
    const int64_t zero =
        store_->EnsureModelZero(learning::kModelZeroName, learning::ModelZeroDescription().dump());
    spdlog::info("search: model zero is model {}", zero);
    model_zero_ensured_ = true;
  }
  const std::optional<ModelInfo> active = store_->ActiveModel();
  if (!active) model_zero_ensured_ = false;  // nothing active: model zero again, next time
  const std::shared_ptr<const ServedModel> current = Current();
  if (active && current && active->model_id == current->model_id) return;
  if (!active) {
    if (current) spdlog::warn("no active model any more: search is off");
    MaintainIndex(/*force_save=*/true);
    identity_.reset();
    backlog_.reset();
    std::lock_guard<std::mutex> lock(mutex_);
    current_.reset();
    status_.state = "no model";
    return;
  }
  SwitchTo(*active);
}

void SearchService::SwitchTo(const ModelInfo& info) {
  MaintainIndex(/*force_save=*/true);  // the old model's index, before it is dropped
  SetState("loading model " + std::to_string(info.model_id));
  spdlog::info("search: loading model {} ({})", info.model_id, info.name);
  std::shared_ptr<ServedModel> next = LoadServedModel(*store_, info, options_.data_directory);
  auto backlog = std::make_unique<EmbeddingBacklog>(*store_, *next);
  size_t embedded = 0;
  for (size_t n; !stopping_ && (n = backlog->EmbedBatch(options_.embed_batch)) > 0;) embedded += n;
  if (stopping_) return;
  next->index->Save(next->index_path);
  last_save_ = Clock::now();
  index_dirty_ = false;
  const size_t failures = backlog->failed();
  backlog_ = std::move(backlog);  // refers to *next, which current_ keeps alive
  identity_ = std::make_unique<IdentityBacklog>(*store_, *next);
  std::lock_guard<std::mutex> lock(mutex_);
  current_ = std::move(next);
  status_.state = "ready";
  // The ECGs the switch could not embed count from the moment the model serves, not only after
  // the next background batch.
  status_.embedding_failures = failures;
  spdlog::info("search: serving model {} ({} ECGs indexed, {} embedded on switching)",
               info.model_id, current_->index->size(), embedded);
}

bool SearchService::EmbedPending() {
  std::vector<int64_t> patients;
  const size_t handled = backlog_->EmbedBatch(options_.embed_batch, &patients);
  if (handled > 0) {
    index_dirty_ = true;
    if (identity_) identity_->EmbeddingsChanged(patients);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  status_.embedding_failures = backlog_->failed();
  return handled == options_.embed_batch;
}

void SearchService::MaintainIndex(bool force_save) {
  const std::shared_ptr<const ServedModel> served = Current();
  if (!served) return;
  if (served->index->NeedsRebuild()) {
    spdlog::info("search: rebuilding the index of model {} ({} ECGs)", served->model_id,
                 served->index->size());
    served->index->Rebuild([&](std::vector<IndexedEcg>* ecgs, std::vector<float>* embeddings) {
      ReadIndexSource(*store_, served->model_id, served->index->dimension(), ecgs, embeddings);
    });
    index_dirty_ = true;
  }
  const bool due = Clock::now() - last_save_ >= Ms(options_.save_interval_s);
  if (index_dirty_ && (force_save || due)) {
    served->index->Save(served->index_path);
    last_save_ = Clock::now();
    index_dirty_ = false;
  }
}

void SearchService::ChangeReferenceLoop() {
  NameCurrentThread("ecg-changes");
  LowerCurrentThreadPriority();
  RunCurrentThreadOnlyWhenIdle();
  while (!stopping_) {
    try {
      if (const std::shared_ptr<const ServedModel> served = Current()) {
        change_scores_.MaybeRebuild(*store_, *served);
      }
    } catch (const std::exception& e) {
      spdlog::warn(
          "change percentile reference (compare and timeline): rebuild failed, retried in 5 s: {}",
          e.what());
    }
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait_for(lock, kChangeReferenceLook, [this] { return stopping_.load(); });
  }
}

void SearchService::Wait(std::chrono::milliseconds delay) {
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait_for(lock, delay, [this] { return stopping_.load() || check_model_now_; });
}

void SearchService::SetState(const std::string& state) {
  std::lock_guard<std::mutex> lock(mutex_);
  status_.state = state;
}

void SearchService::SetError(const std::string& error) {
  std::lock_guard<std::mutex> lock(mutex_);
  status_.last_error = error;
}

}  // namespace ecg::plugin
