// IndexFile: the on-disk envelope of a persisted similarity index.
//
// Layout (little-endian, what this machine writes):
//   0  char[8]  magic "ECGFAISS"
//   8  uint32   format version (kIndexFileVersion)
//   12 uint32   embedding dimension
//   16 uint64   count of indexed ECGs (informational)
//   24 uint64   payload size in bytes
//   32 uint64   FNV-1a 64 checksum of the payload bytes
//   40 int64    model id (the store's key of the model that made the embeddings)
//   48 payload (written and read by the caller through FAISS's IOWriter/IOReader)
// WriteIndexFile writes to "<path>.tmp", fsyncs and renames, so a crash leaves the old file or
// the new one, never half of one. ReadIndexFile verifies magic, version, size and checksum
// before the caller parses a byte of payload.
//
// Errors: Error::Unavailable when a file cannot be written or read (I/O), Error::Corruption when
// its bytes are not a complete, intact index file. A missing file is not an error (nullopt).
// Thread safety: free functions, no shared state; concurrent writers of one path are not.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace faiss {
struct IOReader;
struct IOWriter;
}  // namespace faiss

namespace ecg {

inline constexpr uint32_t kIndexFileVersion = 1;

struct IndexFileHeader {
  int64_t model_id = 0;    // the store's key of the model whose embeddings the index holds
  uint32_t dimension = 0;  // floats per embedding
  uint64_t count = 0;      // indexed ECGs
};

void WriteIndexFile(const std::string& path, const IndexFileHeader& header,
                    const std::function<void(faiss::IOWriter*)>& write_payload);

// Returns nullopt when `path` does not exist. Otherwise checks the envelope, then calls
// read_payload with the header and a reader positioned at the payload; the reader throws
// Error::Corruption past the payload's end. read_payload may throw to refuse the header.
std::optional<IndexFileHeader> ReadIndexFile(
    const std::string& path,
    const std::function<void(const IndexFileHeader&, faiss::IOReader*)>& read_payload);

}  // namespace ecg
