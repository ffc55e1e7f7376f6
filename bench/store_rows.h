// Store rows at scale for the benchmarks that measure a store-wide pass (identity_look_bench,
// change_reference_bench): metadata-only ECG rows written by SQL in seconds, on a PostgreSQL
// that the benchmark started (tests/support/postgres_server.h).
#pragma once

#include <string>

#include "support/postgres_server.h"

namespace ecg::bench {

// n ECG rows of max(1, n / 4) patients: ECG g (1..n, its key on a fresh database) belongs to
// patient 1 + g % patients and was acquired (g / patients) years after 2020-01-01, so each
// patient has 4 ECGs a year apart.
inline void FillEcgRows(const testing::PostgresServer& postgres, const std::string& uri, long n) {
  const std::string rows = std::to_string(n), patients = std::to_string(n / 4 > 1 ? n / 4 : 1);
  postgres.PsqlOnUri(uri,
                     "INSERT INTO patients (patient_id, orthanc_patient_id) SELECT 'P' || g,"
                     " 'op' || g FROM generate_series(1, " +
                         patients + ") g");
  postgres.PsqlOnUri(
      uri,
      "INSERT INTO ecgs (patient_key, sop_instance_uid, orthanc_instance_id, orthanc_series_id,"
      " orthanc_study_id, orthanc_patient_id, study_instance_uid, series_instance_uid,"
      " sop_class_uid, acquired_at, source_rate_hz, duration_ms, lead_mask, content_hash)"
      " SELECT 1 + g % " +
          patients +
          ", '1.2.826.0.1.' || g, md5(g::text), 's', 's', 'p',"
          " '1', '1', '1.2', timestamptz '2020-01-01' + (g / " +
          patients +
          ") * interval '1 year',"
          " 500, 10000, 4095, 0 FROM generate_series(1, " +
          rows + ") g");
}

}  // namespace ecg::bench
