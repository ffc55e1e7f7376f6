#include "waveform/serial_comparison.h"

#include <cmath>
#include <cstdio>

namespace ecg {
namespace {

bool IsAxis(const std::string& field) {
  return field.size() > 4 && field.compare(field.size() - 4, 4, "_deg") == 0;
}

// The shortest signed angle from a to b, in (-180, 180].
double AngleDelta(double a, double b) {
  double d = std::fmod(b - a, 360.0);
  if (d <= -180) d += 360;
  if (d > 180) d -= 360;
  return d;
}

std::string Number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.0f", v);
  return buffer;
}

// The least change that a statement of crossing a limit needs (docs/measurements.md,
// "Repeatability"): the 95th percentile of |second half - first half| over PTB-XL's 500 Hz records
// (orthanc-ecg measure-repeat), divided by sqrt(2) because two whole 10 s ECGs each average twice
// the beats of a half, rounded down to a multiple of 5 (11.3, 25.5, 34, 6.4).
constexpr double kQrsMinChange_ms = 10;
constexpr double kPrMinChange_ms = 25;
constexpr double kQtcMinChange_ms = 30;
constexpr double kRateMinChange_bpm = 5;

// From below `limit` to at or above it, by at least `min_change`.
bool Rises(double a, double b, double limit, double min_change) {
  return a < limit && b >= limit && b - a >= min_change;
}

class Statements {
 public:
  Statements(const EcgMeasurements& from, const EcgMeasurements& to) : from_(from), to_(to) {}

  // Adds a statement when both values exist and `test(from, to)` holds.
  template <typename Test>
  bool Add(const char* field, const char* code, const std::string& what, const char* unit,
           Test test) {
    const std::optional<double> a = MeasurementField(from_, field),
                                b = MeasurementField(to_, field);
    if (!a || !b || !test(*a, *b)) return false;
    out_.push_back(
        {code, what + ": " + Number(*a) + " -> " + Number(*b) + " " + unit, field, *a, *b});
    return true;
  }
  std::vector<ChangeStatement> Take() { return std::move(out_); }

 private:
  const EcgMeasurements& from_;
  const EcgMeasurements& to_;
  std::vector<ChangeStatement> out_;
};

}  // namespace

SerialComparison CompareMeasurements(const EcgMeasurements& from, const EcgMeasurements& to) {
  SerialComparison c;
  for (const std::string& field : MeasurementFieldNames()) {
    MeasurementDifference d{field, MeasurementField(from, field), MeasurementField(to, field), {}};
    if (d.from && d.to) d.delta = IsAxis(field) ? AngleDelta(*d.from, *d.to) : *d.to - *d.from;
    c.differences.push_back(d);
  }
  Statements s(from, to);
  s.Add("qrs_ms", "QRS_NEW_WIDE", "New wide QRS (>= 120 ms)", "ms",
        [](double a, double b) { return Rises(a, b, 120, kQrsMinChange_ms); });
  s.Add("qrs_ms", "QRS_WIDENED", "QRS widened by >= 20 ms", "ms",
        [](double a, double b) { return b - a >= 20; });
  s.Add("qtc_bazett_ms", "QTC_PROLONGED", "QTc (Bazett) longer by >= 30 ms", "ms",
        [](double a, double b) { return b - a >= 30; });
  for (double limit : {500.0, 480.0, 470.0}) {
    const std::string code = "QTC_ABOVE_" + Number(limit);
    // "Newly above": the earlier value at or below the limit, the later one above it.
    if (s.Add("qtc_bazett_ms", code.c_str(), "QTc (Bazett) newly above " + Number(limit) + " ms",
              "ms", [limit](double a, double b) {
                return a <= limit && b > limit && b - a >= kQtcMinChange_ms;
              })) {
      break;
    }
  }
  s.Add("pr_ms", "PR_NEW_PROLONGED", "PR newly >= 200 ms", "ms",
        [](double a, double b) { return Rises(a, b, 200, kPrMinChange_ms); });
  s.Add("heart_rate_bpm", "HR_NEW_BELOW_50", "Heart rate newly below 50/min", "/min",
        [](double a, double b) { return a >= 50 && b < 50 && a - b >= kRateMinChange_bpm; });
  s.Add("heart_rate_bpm", "HR_BACK_ABOVE_50", "Heart rate back above 50/min", "/min",
        [](double a, double b) { return Rises(a, b, 50, kRateMinChange_bpm); });
  s.Add("heart_rate_bpm", "HR_NEW_ABOVE_100", "Heart rate newly above 100/min", "/min",
        [](double a, double b) { return a <= 100 && b > 100 && b - a >= kRateMinChange_bpm; });
  s.Add("heart_rate_bpm", "HR_BACK_BELOW_100", "Heart rate back below 100/min", "/min",
        [](double a, double b) { return a > 100 && b <= 100 && a - b >= kRateMinChange_bpm; });
  s.Add("qrs_axis_deg", "QRS_AXIS_SHIFT", "Frontal QRS axis shifted by >= 30 degrees", "deg",
        [](double a, double b) { return std::abs(AngleDelta(a, b)) >= 30; });
  c.statements = s.Take();
  return c;
}

}  // namespace ecg
