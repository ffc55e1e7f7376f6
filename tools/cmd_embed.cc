// orthanc-ecg embed --model MODEL_DIR --data DIR_OR_FILE --out FILE [--threads N] [--batch N]
//
// Embeds every ECG of EcgArchive files (a file or every *.ecgarch of a folder) with a model, on
// the CPU, and writes a vector file (little-endian):
//   header: magic "ECGEMB01" (8) | uint32 dimension | uint32 reserved = 0 | uint64 count
//   record: int64 ecg_key | int64 patient_key | float32 embedding[dimension] (L2-normalised)
// Prints one JSON line {"ecgs", "dimension", "seconds", "ecg_per_s"} on stdout.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "learning/dataset.h"
#include "learning/embedder.h"
#include "tools/command.h"
#include "waveform/error.h"

namespace ecg::tools {
namespace {

struct EmbedCommandOptions {
  std::string model;
  std::string data;
  std::string out;
  int threads = 2;
  size_t batch = 64;
};

class VectorFile {
 public:
  VectorFile(const std::string& path, uint32_t dimension) : path_(path), dimension_(dimension) {
    file_ = std::fopen(path.c_str(), "wb");
    if (file_ == nullptr) throw Error::Unavailable("cannot create '" + path + "'");
    const uint32_t reserved = 0;
    const uint64_t count = 0;
    Write("ECGEMB01", 8);
    Write(&dimension_, 4);
    Write(&reserved, 4);
    Write(&count, 8);
  }
  ~VectorFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  void Append(int64_t ecg_key, int64_t patient_key, const float* vector) {
    Write(&ecg_key, 8);
    Write(&patient_key, 8);
    Write(vector, 4 * dimension_);
    ++count_;
  }
  void Close() {
    if (std::fseek(file_, 16, SEEK_SET) != 0)
      throw Error::Unavailable("cannot seek in '" + path_ + "'");
    Write(&count_, 8);
    const int rc = std::fclose(file_);
    file_ = nullptr;
    if (rc != 0) throw Error::Unavailable("cannot close '" + path_ + "'");
  }

 private:
  void Write(const void* data, size_t bytes) {
    if (std::fwrite(data, 1, bytes, file_) != bytes)
      throw Error::Unavailable("cannot write '" + path_ + "'");
  }
  std::string path_;
  uint32_t dimension_;
  std::FILE* file_ = nullptr;
  uint64_t count_ = 0;
};

void Flush(const learning::Embedder& embedder, std::vector<ArchiveRecord>* records,
           VectorFile* out) {
  if (records->empty()) return;
  std::vector<const EcgSignal*> signals;
  for (const ArchiveRecord& r : *records) signals.push_back(&r.signal);
  torch::Tensor e = embedder.EmbedBatch(signals).contiguous();
  for (size_t i = 0; i < records->size(); ++i) {
    out->Append((*records)[i].keys.ecg_key, (*records)[i].keys.patient_key,
                e[static_cast<int64_t>(i)].data_ptr<float>());
  }
  records->clear();
}

void RunEmbed(const EmbedCommandOptions& o) {
  learning::EmbedderOptions embedder_options;
  embedder_options.cpu_threads = o.threads;
  learning::Embedder embedder(o.model, embedder_options);
  VectorFile out(o.out, static_cast<uint32_t>(embedder.dimension()));
  const auto start = std::chrono::steady_clock::now();
  size_t count = 0;
  std::vector<ArchiveRecord> records;
  for (const std::string& path : learning::ListArchives(o.data)) {
    EcgArchiveReader reader(path);
    for (uint64_t i = 0; i < reader.size(); ++i) {
      records.push_back(reader.Read(i));
      ++count;
      if (records.size() >= std::max<size_t>(1, o.batch)) Flush(embedder, &records, &out);
    }
  }
  Flush(embedder, &records, &out);
  out.Close();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << nlohmann::json({{"ecgs", count},
                               {"dimension", embedder.dimension()},
                               {"seconds", seconds},
                               {"ecg_per_s", count / std::max(1e-9, seconds)}})
                   .dump()
            << std::endl;
}

void Setup(CLI::App& app) {
  auto options = std::make_shared<EmbedCommandOptions>();
  CLI::App* cmd = app.add_subcommand("embed", "Embed the ECGs of archives into a vector file");
  cmd->add_option("--model", options->model, "model directory")->required();
  cmd->add_option("--data", options->data, "archive file or folder of *.ecgarch")->required();
  cmd->add_option("--out", options->out, "vector file to write")->required();
  cmd->add_option("--threads", options->threads, "LibTorch CPU threads");
  cmd->add_option("--batch", options->batch, "ECGs per forward pass");
  cmd->callback([options] { RunEmbed(*options); });
}

}  // namespace

ORTHANC_ECG_COMMAND("embed", Setup);

}  // namespace ecg::tools
