// Error: the one exception every layer of orthanc-ecg throws.
//
// An Error carries a code from a small vocabulary and a message that says what went wrong and
// where (the DICOM tag, the file, the parameter). Layers that own a library (DCMTK, libpqxx,
// FAISS, LibTorch) rethrow that library's exceptions as Error. Only plugin/ maps codes to HTTP
// status codes, and tools/ to exit statuses. Expected outcomes are not errors: a lookup that
// misses returns std::optional instead of throwing kNotFound.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace ecg {

enum class ErrorCode {
  kNotFound,         // the named thing does not exist
  kInvalidArgument,  // the caller passed a value outside the contract
  kCorruption,       // received bytes are malformed (a file, a DICOM body, a library's answer)
  kDataLoss,         // bytes this product stored (rows of the store) no longer decode
  kUnsupported,      // well-formed, but a feature this product does not handle
  kConflict,         // the operation clashes with the current state (a run already running)
  kUnavailable,      // a dependency (database, model) is down or missing; retrying may help
};

std::string_view ErrorCodeName(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message);

  static Error NotFound(const std::string& m) { return Error(ErrorCode::kNotFound, m); }
  static Error InvalidArgument(const std::string& m) {
    return Error(ErrorCode::kInvalidArgument, m);
  }
  static Error Corruption(const std::string& m) { return Error(ErrorCode::kCorruption, m); }
  static Error DataLoss(const std::string& m) { return Error(ErrorCode::kDataLoss, m); }
  static Error Unsupported(const std::string& m) { return Error(ErrorCode::kUnsupported, m); }
  static Error Conflict(const std::string& m) { return Error(ErrorCode::kConflict, m); }
  static Error Unavailable(const std::string& m) { return Error(ErrorCode::kUnavailable, m); }

  ErrorCode code() const { return code_; }
  bool IsNotFound() const { return code_ == ErrorCode::kNotFound; }
  bool IsInvalidArgument() const { return code_ == ErrorCode::kInvalidArgument; }
  bool IsCorruption() const { return code_ == ErrorCode::kCorruption; }
  bool IsDataLoss() const { return code_ == ErrorCode::kDataLoss; }
  bool IsUnsupported() const { return code_ == ErrorCode::kUnsupported; }
  bool IsConflict() const { return code_ == ErrorCode::kConflict; }
  bool IsUnavailable() const { return code_ == ErrorCode::kUnavailable; }

 private:
  ErrorCode code_;
};

}  // namespace ecg
