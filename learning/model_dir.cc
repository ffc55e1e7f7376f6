#include "learning/model_dir.h"

#include <filesystem>
#include <fstream>

#include "waveform/error.h"

namespace ecg::learning {
namespace fs = std::filesystem;

nlohmann::json ReadJsonFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error::NotFound("cannot open '" + path + "'");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error::Corruption("'" + path + "' is not valid JSON: " + e.what());
  }
}

void WriteJsonFile(const std::string& path, const nlohmann::json& json) {
  std::ofstream out(path);
  out << json.dump(2) << "\n";
  if (!out.flush()) throw Error::Unavailable("cannot write '" + path + "'");
}

void SaveModelDir(const std::string& dir, EcgModel& model, const nlohmann::json& data,
                  const nlohmann::json& metrics) {
  const fs::path staging = CreateStagingDirectory(dir);
  {
    std::ofstream format(staging / "format");
    format << kModelFormat << "\n";
  }
  WriteJsonFile((staging / "config.json").string(), model->config().ToJson());
  WriteJsonFile((staging / "data.json").string(), data);
  WriteJsonFile((staging / "metrics.json").string(), metrics);
  try {
    torch::save(model, (staging / "model.pt").string());
  } catch (const c10::Error& e) {
    throw Error::Unavailable("cannot write weights to '" + staging.string() + "': " + e.what());
  }
  PublishDirectory(staging.string(), dir);
}

std::string CreateStagingDirectory(const std::string& dir) {
  const std::string staging = dir + ".tmp";
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) throw Error::Unavailable("cannot create '" + staging + "': " + ec.message());
  return staging;
}

void PublishDirectory(const std::string& staging, const std::string& dir) {
  const fs::path old = dir + ".old";
  std::error_code ec;
  fs::remove_all(old, ec);
  if (fs::exists(dir)) fs::rename(dir, old, ec);
  if (ec)
    throw Error::Unavailable("cannot move the old model '" + dir + "' aside: " + ec.message());
  fs::rename(staging, dir, ec);
  if (ec) throw Error::Unavailable("cannot move model into '" + dir + "': " + ec.message());
  fs::remove_all(old, ec);
}

LoadedModel LoadModelDir(const std::string& dir, torch::Device device,
                         std::optional<int64_t> expected_embedding_dim) {
  if (!fs::is_directory(dir)) throw Error::NotFound("model directory '" + dir + "' does not exist");
  std::ifstream format_file(fs::path(dir) / "format");
  std::string format;
  std::getline(format_file, format);
  if (format != kModelFormat) {
    throw Error::Corruption("'" + dir + "' is not a model directory (format line '" + format +
                            "', expected '" + kModelFormat + "')");
  }
  LoadedModel loaded;
  try {
    loaded.config = ModelConfig::FromJson(ReadJsonFile((fs::path(dir) / "config.json").string()));
  } catch (const Error& e) {
    throw Error::Corruption("'" + dir + "/config.json': " + e.what());
  }
  if (expected_embedding_dim && *expected_embedding_dim != loaded.config.embedding_dim) {
    throw Error::InvalidArgument(
        "model '" + dir + "' embeds in " + std::to_string(loaded.config.embedding_dim) +
        " dimensions, expected " + std::to_string(*expected_embedding_dim));
  }
  loaded.data = ReadJsonFile((fs::path(dir) / "data.json").string());
  loaded.metrics = ReadJsonFile((fs::path(dir) / "metrics.json").string());
  loaded.model = EcgModel(loaded.config);
  try {
    torch::load(loaded.model, (fs::path(dir) / "model.pt").string());
  } catch (const c10::Error& e) {
    throw Error::Corruption("weights in '" + dir + "' do not fit its config: " + e.what());
  }
  loaded.model->to(device);
  loaded.model->eval();
  return loaded;
}

}  // namespace ecg::learning
