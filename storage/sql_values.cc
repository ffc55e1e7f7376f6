#include "storage/sql_values.h"

#include <nlohmann/json.hpp>

#include "storage/signal_codec.h"
#include "waveform/error.h"

namespace ecg::sql {

std::string MillisToTimestamp(const std::string& text_param) {
  return "('epoch'::timestamptz + NULLIF(" + text_param +
         ", '')::bigint * interval '1 millisecond')";
}

std::string TimestampToMillis(const std::string& column) {
  // date_part is float8: exact for whole milliseconds within +-285,000 years of 1970, and several
  // times cheaper than extract's numeric.
  return "round(date_part('epoch', " + column + ") * 1000)::bigint";
}

std::string DicomDateToIso(const std::string& dicom_date) {
  if (dicom_date.size() != 8 || dicom_date.find_first_not_of("0123456789") != std::string::npos) {
    return "";
  }
  const int year = std::stoi(dicom_date.substr(0, 4));
  const int month = std::stoi(dicom_date.substr(4, 2));
  const int day = std::stoi(dicom_date.substr(6, 2));
  static constexpr int kDays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (year < 1800 || month < 1 || month > 12 || day < 1 || day > kDays[month - 1] ||
      (month == 2 && day == 29 && !leap)) {
    return "";
  }
  return dicom_date.substr(0, 4) + "-" + dicom_date.substr(4, 2) + "-" + dicom_date.substr(6, 2);
}

std::string MeasurementsJson(const std::vector<Measurement>& measurements) {
  nlohmann::json array = nlohmann::json::array();
  for (const Measurement& m : measurements) {
    array.push_back({{"name", m.name}, {"code", m.code}, {"value", m.value}, {"unit", m.unit}});
  }
  return array.dump();
}

std::vector<Measurement> ParseMeasurementsJson(const std::string& json) {
  std::vector<Measurement> measurements;
  try {
    for (const auto& item : nlohmann::json::parse(json)) {
      measurements.push_back({item.at("name").get<std::string>(),
                              item.at("code").get<std::string>(), item.at("value").get<double>(),
                              item.at("unit").get<std::string>()});
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error::DataLoss(std::string("stored device measurements: ") + e.what());
  }
  return measurements;
}

std::string StatementsJson(const std::vector<std::string>& statements) {
  return nlohmann::json(statements).dump();
}

std::vector<std::string> ParseStatementsJson(const std::string& json) {
  try {
    return nlohmann::json::parse(json).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    throw Error::DataLoss(std::string("stored statements: ") + e.what());
  }
}

std::string BigintArray(const std::vector<int64_t>& values) {
  std::string text = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += ',';
    text += std::to_string(values[i]);
  }
  return text + "}";
}

pqxx::binarystring Bytes(const std::string& bytes) {
  return pqxx::binarystring(bytes);
}

std::string ReadBytes(const pqxx::field& field) {
  return pqxx::binarystring(field).str();
}

EcgSignal DecodeStoredSignal(const std::string& blob, const std::string& column, int64_t ecg_key) {
  try {
    return DecodeSignal(blob);
  } catch (const Error& e) {
    if (!e.IsCorruption()) throw;
    throw Error::DataLoss("stored " + column + " of ECG " + std::to_string(ecg_key) +
                          " is damaged: " + e.what());
  }
}

}  // namespace ecg::sql
