#include "storage/index_file.h"

#include <faiss/impl/io.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "waveform/error.h"

namespace ecg {

namespace {

constexpr char kMagic[8] = {'E', 'C', 'G', 'F', 'A', 'I', 'S', 'S'};
constexpr long kPayloadSizeOffset = 24;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// FNV-1a, 64 bits, over bytes.
class Fnv1a {
 public:
  void Update(const void* data, size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) hash_ = (hash_ ^ bytes[i]) * 0x100000001b3ULL;
  }
  uint64_t value() const { return hash_; }

 private:
  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

std::string IoFailure(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Writes through to a FILE and hashes what it writes.
class HashingWriter : public faiss::IOWriter {
 public:
  HashingWriter(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {
    name = path_;
  }
  size_t operator()(const void* ptr, size_t size, size_t nitems) override {
    size_t written = std::fwrite(ptr, size, nitems, file_);
    if (written != nitems) throw Error::Unavailable(IoFailure("cannot write index file", path_));
    hash_.Update(ptr, size * nitems);
    bytes_ += size * nitems;
    return written;
  }
  uint64_t bytes() const { return bytes_; }
  uint64_t checksum() const { return hash_.value(); }

 private:
  std::FILE* file_;
  std::string path_;
  Fnv1a hash_;
  uint64_t bytes_ = 0;
};

// Reads at most `remaining` bytes; reading past them is corruption (a length field lied).
class BoundedReader : public faiss::IOReader {
 public:
  BoundedReader(std::FILE* file, uint64_t remaining, std::string path)
      : file_(file), remaining_(remaining), path_(std::move(path)) {
    name = path_;
  }
  size_t operator()(void* ptr, size_t size, size_t nitems) override {
    if (size != 0 && nitems > remaining_ / size) {
      throw Error::Corruption("index file " + path_ + ": payload ends before its last field");
    }
    size_t read = std::fread(ptr, size, nitems, file_);
    if (read != nitems) throw Error::Unavailable(IoFailure("cannot read index file", path_));
    remaining_ -= size * nitems;
    return read;
  }

 private:
  std::FILE* file_;
  uint64_t remaining_;
  std::string path_;
};

template <typename T>
void Put(faiss::IOWriter* out, const T& value) {
  (*out)(&value, sizeof(T), 1);
}

template <typename T>
T Get(std::FILE* file, const std::string& path) {
  T value;
  if (std::fread(&value, sizeof(T), 1, file) != 1) {
    throw Error::Corruption("index file " + path + ": header is truncated");
  }
  return value;
}

void WriteHeader(faiss::IOWriter* out, const IndexFileHeader& header) {
  (*out)(kMagic, 1, sizeof(kMagic));
  Put(out, kIndexFileVersion);
  Put(out, header.dimension);
  Put(out, header.count);
  Put(out, uint64_t{0});  // payload size, patched after the payload
  Put(out, uint64_t{0});  // checksum, patched after the payload
  Put(out, header.model_id);
}

struct Envelope {
  IndexFileHeader header;
  uint64_t payload_bytes = 0;
  uint64_t checksum = 0;
};

Envelope ReadEnvelope(std::FILE* file, const std::string& path) {
  char magic[sizeof(kMagic)];
  if (std::fread(magic, 1, sizeof(magic), file) != sizeof(magic) ||
      std::memcmp(magic, kMagic, sizeof(kMagic)) != 0) {
    throw Error::Corruption("index file " + path + ": not an orthanc-ecg index (bad magic)");
  }
  uint32_t version = Get<uint32_t>(file, path);
  if (version != kIndexFileVersion) {
    throw Error::Corruption("index file " + path + ": format version " + std::to_string(version) +
                            ", this build reads " + std::to_string(kIndexFileVersion));
  }
  Envelope envelope;
  envelope.header.dimension = Get<uint32_t>(file, path);
  envelope.header.count = Get<uint64_t>(file, path);
  envelope.payload_bytes = Get<uint64_t>(file, path);
  envelope.checksum = Get<uint64_t>(file, path);
  envelope.header.model_id = Get<int64_t>(file, path);
  return envelope;
}

void VerifyPayload(std::FILE* file, const Envelope& envelope, const std::string& path) {
  long start = std::ftell(file);
  if (std::fseek(file, 0, SEEK_END) != 0) throw Error::Unavailable(IoFailure("cannot seek", path));
  uint64_t actual = static_cast<uint64_t>(std::ftell(file) - start);
  if (actual != envelope.payload_bytes) {
    throw Error::Corruption("index file " + path + ": payload is " + std::to_string(actual) +
                            " bytes, header says " + std::to_string(envelope.payload_bytes));
  }
  std::fseek(file, start, SEEK_SET);
  Fnv1a hash;
  std::vector<char> buffer(1 << 20);
  for (uint64_t left = actual; left > 0;) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(left, buffer.size()));
    if (std::fread(buffer.data(), 1, chunk, file) != chunk) {
      throw Error::Unavailable(IoFailure("cannot read index file", path));
    }
    hash.Update(buffer.data(), chunk);
    left -= chunk;
  }
  if (hash.value() != envelope.checksum) {
    throw Error::Corruption("index file " + path + ": payload checksum mismatch");
  }
  std::fseek(file, start, SEEK_SET);
}

}  // namespace

void WriteIndexFile(const std::string& path, const IndexFileHeader& header,
                    const std::function<void(faiss::IOWriter*)>& write_payload) {
  const std::string temporary = path + ".tmp";
  File file(std::fopen(temporary.c_str(), "wb"));
  if (!file) throw Error::Unavailable(IoFailure("cannot create index file", temporary));
  HashingWriter header_writer(file.get(), temporary);
  WriteHeader(&header_writer, header);
  HashingWriter payload_writer(file.get(), temporary);
  write_payload(&payload_writer);
  const uint64_t sizes[2] = {payload_writer.bytes(), payload_writer.checksum()};
  if (std::fseek(file.get(), kPayloadSizeOffset, SEEK_SET) != 0 ||
      std::fwrite(sizes, sizeof(uint64_t), 2, file.get()) != 2 || std::fflush(file.get()) != 0 ||
      ::fsync(::fileno(file.get())) != 0) {
    throw Error::Unavailable(IoFailure("cannot finish index file", temporary));
  }
  file.reset();
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    throw Error::Unavailable(IoFailure("cannot rename index file to", path));
  }
}

std::optional<IndexFileHeader> ReadIndexFile(
    const std::string& path,
    const std::function<void(const IndexFileHeader&, faiss::IOReader*)>& read_payload) {
  File file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    if (errno == ENOENT) return std::nullopt;
    throw Error::Unavailable(IoFailure("cannot open index file", path));
  }
  Envelope envelope = ReadEnvelope(file.get(), path);
  VerifyPayload(file.get(), envelope, path);
  BoundedReader reader(file.get(), envelope.payload_bytes, path);
  read_payload(envelope.header, &reader);
  return envelope.header;
}

}  // namespace ecg
