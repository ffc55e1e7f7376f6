// WFDB (PhysioNet) annotation files in the MIT format, and LUDB's global reference intervals.
//
// ReadWfdbAnnotations(path) reads one annotation file: 16-bit little-endian words, the top 6 bits
// an annotation code, the low 10 bits the time since the previous annotation in samples; SKIP
// (59) carries a 32-bit interval (high half first), NUM/SUB/CHN (60..62) are ignored, AUX (63)
// strings are skipped; a zero word ends the file. Symbols: 'N' (1), 'p' (24), 't' (27), 'u' (28),
// '(' (39), ')' (40); other codes have symbol '?'.
//
// LudbReferenceIntervals(record) reads the twelve lead annotation files of one LUDB record
// (record.i, record.ii, ..., record.v6) and returns the global intervals the way the LUDB README
// and IEC 60601-2-25 define them: per beat, the earliest onset and the latest offset over the
// leads (QRS complexes of the leads grouped into one beat when their peaks lie within 100 ms; P
// waves peaking in the 500 ms before that beat's QRS onset; T waves peaking between its QRS
// offset and the next beat's QRS onset), then each interval averaged over the beats that have
// it. Beats annotated in fewer than 6 leads are left out.
//
// The same annotations also give `lead_median`: each lead's boundaries, relative to the beat's
// median QRS peak, take their median over the beats first, and the global boundaries are the
// earliest onset and latest offset of these per-lead medians. This is the global boundary of a
// representative beat (what a program measuring a median beat, and the CSE referees marking one
// selected beat in all leads at once, estimate). The beat-by-beat reference is longer: the
// earliest of twelve leads' onsets, each with its own beat-to-beat annotation jitter, is earlier
// than the earliest of their medians (and the latest offset later); `lead_median` makes that
// part of the reference visible.
//
// Errors: Error::NotFound for a missing file, Error::Corruption for a truncated one. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ecg {

struct WfdbAnnotation {
  int64_t sample = 0;
  int code = 0;
  char symbol = '?';
};

std::vector<WfdbAnnotation> ReadWfdbAnnotations(const std::string& path);

// One beat's global boundaries (sample indices in the record; -1: not annotated).
struct LudbBeat {
  int64_t p_onset = -1, p_offset = -1, qrs_onset = -1, qrs_offset = -1, t_offset = -1;
};

struct LudbIntervals {
  std::optional<double> p_ms, pr_ms, qrs_ms, qt_ms;
};

struct LudbReference {
  std::optional<double> p_ms, pr_ms, qrs_ms, qt_ms;  // beat by beat, then averaged (the reference)
  LudbIntervals lead_median;                         // from each lead's median boundaries
  size_t beats = 0;                                  // beats with a QRS annotated in >= 6 leads
  std::vector<LudbBeat> beat_boundaries;             // those beats, in time order
};

// REQUIRES: record_path is the path without extension ("ludb/data/1"); sample_rate_hz > 0.
LudbReference LudbReferenceIntervals(const std::string& record_path, double sample_rate_hz = 500);

}  // namespace ecg
