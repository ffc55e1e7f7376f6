// Serial comparison: what changed between two ECGs' product measurements (waveform/ecg_measure.h),
// the way serial-comparison programs (GE MUSE, Philips, Glasgow) state it.
//
// CompareMeasurements(from, to): `from` is the reference ECG (usually the earlier one), `to` the
// ECG being read. Differences: every numeric field of both, delta = to - from (axes: the
// shortest signed angle, in (-180, 180]), delta null when either value is null.
// Statements, each naming the measurement and both values (codes are stable, texts are English):
//   QRS_NEW_WIDE        QRS newly >= 120 ms
//   QRS_WIDENED         QRS longer by >= 20 ms
//   QTC_PROLONGED       QTc (Bazett) longer by >= 30 ms
//   QTC_ABOVE_470/480/500  QTc (Bazett) newly above 470, 480 or 500 ms (only the highest)
//   PR_NEW_PROLONGED    PR newly >= 200 ms
//   HR_NEW_BELOW_50 / HR_NEW_ABOVE_100        heart rate newly < 50 or > 100 beats/min
//   HR_BACK_ABOVE_50 / HR_BACK_BELOW_100      and back across those limits
//   QRS_AXIS_SHIFT      frontal QRS axis shifted by >= 30 degrees
// A statement of crossing a limit ("newly", "back") also needs the value to have moved by at
// least what the product's own measurement moves within one recording: QRS 10 ms, PR 25 ms, QTc
// 30 ms, heart rate 5/min (a QRS of 118 then 120 ms is not a new wide QRS; docs/measurements.md,
// "Repeatability"). The differences carry every change, stated or not.
// A statement needs both values. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "waveform/ecg_measure.h"

namespace ecg {

struct MeasurementDifference {
  std::string field;  // a MeasurementFieldNames() entry
  std::optional<double> from, to, delta;
};

struct ChangeStatement {
  std::string code;         // e.g. "QRS_NEW_WIDE"
  std::string text;         // e.g. "New wide QRS (>= 120 ms): 96 -> 128 ms"
  std::string measurement;  // the field, e.g. "qrs_ms"
  double from = 0, to = 0;
};

struct SerialComparison {
  std::vector<MeasurementDifference> differences;  // MeasurementFieldNames() order
  std::vector<ChangeStatement> statements;
};

SerialComparison CompareMeasurements(const EcgMeasurements& from, const EcgMeasurements& to);

}  // namespace ecg
