#include "learning/model_pack.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "learning/model_dir.h"
#include "waveform/error.h"

namespace ecg::learning {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'E', 'C', 'G', 'M', 'O', 'D', 'L', '1'};
constexpr std::array<const char*, 5> kModelFiles = {"format", "config.json", "model.pt",
                                                    "data.json", "metrics.json"};
constexpr size_t kMaxNameBytes = 64;

template <typename T>
void AppendLittleEndian(std::string* out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // the project builds for little-endian hosts only
  out->append(bytes, sizeof(T));
}

std::string ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error::NotFound("model file '" + path.string() + "' is missing");
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// Reads the pack front to back; every read checks the bytes left.
class PackReader {
 public:
  explicit PackReader(const std::string& bytes) : bytes_(bytes) {}

  template <typename T>
  T Read(const char* what) {
    T value;
    std::memcpy(&value, Take(sizeof(T), what), sizeof(T));
    return value;
  }
  std::string ReadString(uint64_t size, const char* what) {
    return std::string(Take(size, what), size);
  }
  bool AtEnd() const { return offset_ == bytes_.size(); }

 private:
  const char* Take(uint64_t size, const char* what) {
    if (size > bytes_.size() - offset_) {
      throw Error::Corruption("model pack truncated in " + std::string(what) + " at byte " +
                              std::to_string(offset_));
    }
    const char* at = bytes_.data() + offset_;
    offset_ += size;
    return at;
  }
  const std::string& bytes_;
  size_t offset_ = 0;
};

bool IsModelFileName(const std::string& name) {
  for (const char* known : kModelFiles) {
    if (name == known) return true;
  }
  return false;
}

}  // namespace

std::string PackModelDir(const std::string& dir) {
  if (!fs::is_directory(dir)) throw Error::NotFound("model directory '" + dir + "' does not exist");
  std::string out(kMagic, sizeof(kMagic));
  AppendLittleEndian<uint32_t>(&out, kModelFiles.size());
  for (const char* name : kModelFiles) {
    const std::string data = ReadWholeFile(fs::path(dir) / name);
    AppendLittleEndian<uint32_t>(&out, std::strlen(name));
    out.append(name);
    AppendLittleEndian<uint64_t>(&out, data.size());
    out.append(data);
  }
  return out;
}

void UnpackModelDir(const std::string& bytes, const std::string& dir) {
  PackReader reader(bytes);
  if (reader.ReadString(sizeof(kMagic), "the magic") != std::string(kMagic, sizeof(kMagic))) {
    throw Error::Corruption("bytes are not a model pack (bad magic)");
  }
  const uint32_t count = reader.Read<uint32_t>("the file count");
  if (count != kModelFiles.size()) {
    throw Error::Corruption("model pack holds " + std::to_string(count) + " files, expected " +
                            std::to_string(kModelFiles.size()));
  }
  const fs::path staging = CreateStagingDirectory(dir);
  std::set<std::string> seen;
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t name_size = reader.Read<uint32_t>("a file name length");
    if (name_size > kMaxNameBytes) throw Error::Corruption("model pack file name too long");
    const std::string name = reader.ReadString(name_size, "a file name");
    if (!IsModelFileName(name) || !seen.insert(name).second) {
      throw Error::Corruption("model pack holds an unexpected or repeated file '" + name + "'");
    }
    const std::string data = reader.ReadString(reader.Read<uint64_t>("a file size"), name.c_str());
    std::ofstream out(staging / name, std::ios::binary);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out.flush()) throw Error::Unavailable("cannot write '" + (staging / name).string() + "'");
  }
  if (!reader.AtEnd()) throw Error::Corruption("model pack has bytes after its last file");
  LoadModelDir(staging.string());  // weights that do not fit their config never get published
  PublishDirectory(staging.string(), dir);
}

}  // namespace ecg::learning
