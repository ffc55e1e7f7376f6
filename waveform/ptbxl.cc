#include "waveform/ptbxl.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "waveform/civil_time.h"
#include "waveform/error.h"
#include "waveform/uid.h"

namespace ecg {
namespace {

constexpr uint64_t kUidNamespace = 0x50544258'4C000001ull;  // "PTBXL", version 1

using Row = std::vector<std::string>;

// A CSV file as RFC 4180 writes it (quoted fields may hold commas, "" and newlines).
class CsvTable {
 public:
  CsvTable(const std::string& path) : path_(path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw Error::NotFound("PTB-XL file " + path + " not found");
    std::stringstream text;
    text << file.rdbuf();
    Parse(text.str());
    if (rows_.empty()) throw Error::Corruption(path + ": empty CSV");
  }

  // Index of a header column; throws Corruption when absent.
  size_t Column(const std::string& name) const {
    const auto it = std::find(rows_[0].begin(), rows_[0].end(), name);
    if (it == rows_[0].end()) throw Error::Corruption(path_ + ": no column '" + name + "'");
    return static_cast<size_t>(it - rows_[0].begin());
  }
  size_t size() const { return rows_.size(); }
  const Row& row(size_t i) const { return rows_[i]; }
  const std::string& path() const { return path_; }

 private:
  void Parse(const std::string& text) {
    Row row;
    std::string field;
    bool quoted = false;
    for (size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          field += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.push_back(std::move(field));
        field.clear();
      } else if (c == '\n') {
        row.push_back(std::move(field));
        field.clear();
        rows_.push_back(std::move(row));
        row.clear();
      } else if (c != '\r') {
        field += c;
      }
    }
    if (quoted) throw Error::Corruption(path_ + ": unterminated quoted field");
    if (!field.empty() || !row.empty()) {
      row.push_back(std::move(field));
      rows_.push_back(std::move(row));
    }
  }

  std::string path_;
  std::vector<Row> rows_;
};

[[noreturn]] void BadField(const CsvTable& t, size_t line, const std::string& what) {
  throw Error::Corruption(t.path() + " line " + std::to_string(line + 1) + ": " + what);
}

std::optional<double> Number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (*end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

// "{'NORM': 100.0, 'SR': 0.0}": a Python dict literal of string keys and number values.
std::optional<std::map<std::string, double>> ParseScpCodes(const std::string& text) {
  std::map<std::string, double> codes;
  size_t i = text.find('{');
  if (i == std::string::npos) return std::nullopt;
  while (true) {
    i = text.find_first_of("'\"}", i + 1);
    if (i == std::string::npos) return std::nullopt;
    if (text[i] == '}') return codes;
    const size_t end = text.find(text[i], i + 1);
    const size_t colon = text.find(':', end);
    if (end == std::string::npos || colon == std::string::npos) return std::nullopt;
    const char* start = text.c_str() + colon + 1;
    char* stop = nullptr;
    const double likelihood = std::strtod(start, &stop);
    if (stop == start) return std::nullopt;
    codes[text.substr(i + 1, end - i - 1)] = likelihood;
    i = static_cast<size_t>(stop - text.c_str()) - 1;
  }
}

std::optional<int64_t> ParseRecordingDate(const std::string& text) {
  int y, mo, d, h = 0, mi = 0, s = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s) < 3) {
    return std::nullopt;
  }
  return CivilToMs(y, mo, d, h, mi, s);
}

// Statement code -> diagnostic superclass, for diagnostic statements only.
std::map<std::string, std::string> ReadSuperclasses(const std::string& path) {
  const CsvTable table(path);
  const size_t diagnostic = table.Column("diagnostic");
  const size_t superclass = table.Column("diagnostic_class");
  std::map<std::string, std::string> classes;
  for (size_t i = 1; i < table.size(); ++i) {
    const Row& r = table.row(i);
    if (r.size() <= std::max(diagnostic, superclass)) continue;
    if (Number(r[diagnostic]).value_or(0) == 1 && !r[superclass].empty()) {
      classes[r[0]] = r[superclass];
    }
  }
  return classes;
}

struct Columns {
  size_t ecg_id, patient_id, age, sex, date, scp, fold, lr, hr;
};

PtbxlEcg ParseEcg(const CsvTable& t, size_t line, const Columns& c,
                  const std::map<std::string, std::string>& superclass_of) {
  const Row& r = t.row(line);
  if (r.size() <=
      std::max({c.ecg_id, c.patient_id, c.age, c.sex, c.date, c.scp, c.fold, c.lr, c.hr})) {
    BadField(t, line, "too few fields");
  }
  PtbxlEcg e;
  const auto id = Number(r[c.ecg_id]), patient = Number(r[c.patient_id]);
  if (!id || !patient) BadField(t, line, "ecg_id and patient_id must be numbers");
  e.ecg_id = static_cast<int64_t>(*id);
  e.patient_id = static_cast<int64_t>(*patient);
  if (const auto age = Number(r[c.age])) e.age_years = std::min(static_cast<int>(*age), 90);
  if (const auto sex = Number(r[c.sex])) e.sex = *sex == 0 ? "M" : *sex == 1 ? "F" : "";
  e.recording_time_ms = ParseRecordingDate(r[c.date]);
  const auto codes = ParseScpCodes(r[c.scp]);
  if (!codes) BadField(t, line, "scp_codes is not a dict literal");
  e.scp_codes = *codes;
  std::set<std::string> classes;
  for (const auto& [code, likelihood] : e.scp_codes) {
    const auto it = superclass_of.find(code);
    if (it != superclass_of.end()) classes.insert(it->second);
  }
  e.superclasses.assign(classes.begin(), classes.end());
  e.strat_fold = static_cast<int>(Number(r[c.fold]).value_or(0));
  e.filename_lr = r[c.lr];
  e.filename_hr = r[c.hr];
  return e;
}

}  // namespace

PtbxlDatabase PtbxlDatabase::Read(const std::string& folder) {
  const auto superclass_of = ReadSuperclasses(folder + "/scp_statements.csv");
  const CsvTable table(folder + "/ptbxl_database.csv");
  const Columns c{
      table.Column("ecg_id"),     table.Column("patient_id"),     table.Column("age"),
      table.Column("sex"),        table.Column("recording_date"), table.Column("scp_codes"),
      table.Column("strat_fold"), table.Column("filename_lr"),    table.Column("filename_hr")};
  PtbxlDatabase db;
  db.ecgs_.reserve(table.size() - 1);
  for (size_t line = 1; line < table.size(); ++line) {
    if (table.row(line).size() == 1 && table.row(line)[0].empty()) continue;  // blank line
    db.ecgs_.push_back(ParseEcg(table, line, c, superclass_of));
    db.by_id_[db.ecgs_.back().ecg_id] = db.ecgs_.size() - 1;
  }
  return db;
}

std::optional<PtbxlEcg> PtbxlDatabase::Find(int64_t ecg_id) const {
  const auto it = by_id_.find(ecg_id);
  if (it == by_id_.end()) return std::nullopt;
  return ecgs_[it->second];
}

std::string PtbxlPatientId(int64_t patient_id) {
  return "PTBXL-" + std::to_string(patient_id);
}

const std::string& PtbxlRecordName(const PtbxlEcg& ecg, PtbxlRate rate) {
  return rate == PtbxlRate::kLow100Hz ? ecg.filename_lr : ecg.filename_hr;
}

EcgMetadata PtbxlMetadata(const PtbxlEcg& ecg, PtbxlRate rate) {
  EcgMetadata m;
  m.patient_id = PtbxlPatientId(ecg.patient_id);
  m.issuer_of_patient_id = "PTB-XL";
  m.sex = ecg.sex;
  m.patient_age_years = ecg.age_years;
  m.acquisition_time_ms = ecg.recording_time_ms;
  if (ecg.recording_time_ms) m.acquisition_time_source = "acquisition";
  const uint64_t key = static_cast<uint64_t>(ecg.ecg_id);
  const uint64_t kind = rate == PtbxlRate::kLow100Hz ? 0 : 3;
  m.study_instance_uid = DerivedUid(kUidNamespace, key, kind);
  m.series_instance_uid = DerivedUid(kUidNamespace, key, kind + 1);
  m.sop_instance_uid = DerivedUid(kUidNamespace, key, kind + 2);
  return m;
}

}  // namespace ecg
