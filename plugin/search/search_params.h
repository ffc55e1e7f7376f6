// search_params: the query arguments of the search routes, checked (docs/admin.md):
//   k       1..100 (default 10)
//   scope   all | same-patient | other-patients (default all)
//   before  a date, "YYYYMMDD" (DICOM DA) or "YYYY-MM-DD" (ISO 8601): only ECGs acquired before
//           the start of that day (acquisition times are wall-clock times read as UTC, as stored)
// Anything else throws Error::InvalidArgument naming the argument and what it accepts (a 400).
// Pure functions, thread-safe. The scope's patient is the caller's to fill.
#pragma once

#include <cstdint>
#include <string>

#include "plugin/rest.h"
#include "storage/index_options.h"

namespace ecg::plugin {

SearchOptions ParseSearchParams(const RestRequest& request);

// Seconds since the epoch of the start of that day; throws as above.
int64_t ParseBeforeDate(const std::string& text);

}  // namespace ecg::plugin
