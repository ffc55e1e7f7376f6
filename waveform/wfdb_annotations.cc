#include "waveform/wfdb_annotations.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <limits>

#include "waveform/error.h"
#include "waveform/median.h"

namespace ecg {
namespace {

char Symbol(int code) {
  switch (code) {
    case 1:
      return 'N';
    case 24:
      return 'p';
    case 27:
      return 't';
    case 28:
      return 'u';
    case 39:
      return '(';
    case 40:
      return ')';
    default:
      return '?';
  }
}

struct Wave {
  char kind;  // 'p', 'N', 't'
  int64_t onset, peak, offset;
};

// Complete waves of one lead: "(" peak ")" in a row.
std::vector<Wave> Waves(const std::vector<WfdbAnnotation>& a) {
  std::vector<Wave> waves;
  for (size_t i = 1; i + 1 < a.size(); ++i) {
    const char s = a[i].symbol;
    if ((s == 'p' || s == 'N' || s == 't') && a[i - 1].symbol == '(' && a[i + 1].symbol == ')') {
      waves.push_back({s, a[i - 1].sample, a[i].sample, a[i + 1].sample});
    }
  }
  return waves;
}

constexpr size_t kLeadCount = 12;
constexpr int64_t kNone = -1;

// One lead's boundaries in one beat (kNone: not annotated there).
struct LeadWaves {
  int64_t qrs_onset = kNone, qrs_peak = kNone, qrs_offset = kNone;
  int64_t p_onset = kNone, p_offset = kNone, t_offset = kNone;
};

struct Beat {
  int64_t first_peak;
  int64_t qrs_onset = std::numeric_limits<int64_t>::max(), qrs_offset = -1;
  size_t leads = 0;
  int64_t p_onset = std::numeric_limits<int64_t>::max(), p_offset = -1, t_offset = -1;
  std::array<LeadWaves, kLeadCount> lead{};
};

int64_t Earlier(int64_t a, int64_t b) {
  return a == kNone ? b : std::min(a, b);
}
int64_t Later(int64_t a, int64_t b) {
  return std::max(a, b);
}

// The beat's fiducial: the median of its leads' QRS peaks.
double BeatPeak(const Beat& b) {
  std::vector<double> peaks;
  for (const LeadWaves& w : b.lead) {
    if (w.qrs_peak != kNone) peaks.push_back(static_cast<double>(w.qrs_peak));
  }
  return Median(peaks);
}

// For each lead, the median over the counted beats of one boundary relative to the beat's
// fiducial; then the earliest (latest = false) or latest of these over the leads. nullopt when
// no lead has the boundary in any counted beat.
std::optional<double> GlobalOfLeadMedians(const std::vector<const Beat*>& beats,
                                          int64_t LeadWaves::*boundary, bool latest) {
  std::optional<double> global;
  for (size_t l = 0; l < kLeadCount; ++l) {
    std::vector<double> at;
    for (const Beat* b : beats) {
      const int64_t v = b->lead[l].*boundary;
      if (v != kNone) at.push_back(static_cast<double>(v) - BeatPeak(*b));
    }
    if (at.empty()) continue;
    const double m = Median(at);
    if (!global || (latest ? m > *global : m < *global)) global = m;
  }
  return global;
}

LudbIntervals LeadMedianIntervals(const std::vector<const Beat*>& beats, double ms) {
  LudbIntervals out;
  const auto qrs_on = GlobalOfLeadMedians(beats, &LeadWaves::qrs_onset, false);
  const auto qrs_off = GlobalOfLeadMedians(beats, &LeadWaves::qrs_offset, true);
  const auto p_on = GlobalOfLeadMedians(beats, &LeadWaves::p_onset, false);
  const auto p_off = GlobalOfLeadMedians(beats, &LeadWaves::p_offset, true);
  const auto t_off = GlobalOfLeadMedians(beats, &LeadWaves::t_offset, true);
  if (!qrs_on || !qrs_off) return out;
  out.qrs_ms = (*qrs_off - *qrs_on) * ms;
  if (p_on && p_off) {
    out.p_ms = (*p_off - *p_on) * ms;
    out.pr_ms = (*qrs_on - *p_on) * ms;
  }
  if (t_off) out.qt_ms = (*t_off - *qrs_on) * ms;
  return out;
}

void AddMean(std::optional<double>& out, double sum, size_t count) {
  if (count > 0) out = sum / static_cast<double>(count);
}

}  // namespace

std::vector<WfdbAnnotation> ReadWfdbAnnotations(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw Error::NotFound("WFDB annotation file " + path + " not found");
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(file)),
                                         std::istreambuf_iterator<char>());
  std::vector<WfdbAnnotation> out;
  int64_t time = 0;
  size_t i = 0;
  auto word = [&](size_t at) {
    if (at + 2 > bytes.size())
      throw Error::Corruption("WFDB annotation file " + path + " is truncated");
    return static_cast<unsigned>(bytes[at] | (bytes[at + 1] << 8));
  };
  while (i + 2 <= bytes.size()) {
    const unsigned w = word(i);
    i += 2;
    const int code = static_cast<int>(w >> 10);
    const unsigned field = w & 0x3FF;
    if (code == 0 && field == 0) break;
    if (code == 59) {  // SKIP: 32-bit interval, high 16 bits first
      const unsigned high = word(i), low = word(i + 2);
      i += 4;
      time += static_cast<int32_t>((high << 16) | low);
    } else if (code == 63) {  // AUX: field bytes, padded to even
      i += (field + 1) & ~1u;
    } else if (code >= 60) {
      // NUM, SUB, CHN: not needed
    } else {
      time += field;
      out.push_back({time, code, Symbol(code)});
    }
  }
  return out;
}

LudbReference LudbReferenceIntervals(const std::string& record_path, double rate_hz) {
  static const char* kLeads[] = {"i",  "ii", "iii", "avr", "avl", "avf",
                                 "v1", "v2", "v3",  "v4",  "v5",  "v6"};
  std::vector<std::vector<Wave>> leads;
  for (const char* lead : kLeads) {
    leads.push_back(Waves(ReadWfdbAnnotations(record_path + "." + lead)));
  }
  const auto samples = [&](double ms) { return static_cast<int64_t>(ms * rate_hz / 1000.0); };
  // Beats: QRS complexes grouped by peak.
  std::vector<Beat> beats;
  for (size_t l = 0; l < leads.size(); ++l) {
    for (const Wave& w : leads[l]) {
      if (w.kind != 'N') continue;
      auto it = std::find_if(beats.begin(), beats.end(), [&](const Beat& b) {
        return std::llabs(b.first_peak - w.peak) <= samples(100);
      });
      if (it == beats.end()) it = beats.insert(beats.end(), Beat{w.peak});
      it->qrs_onset = std::min(it->qrs_onset, w.onset);
      it->qrs_offset = std::max(it->qrs_offset, w.offset);
      ++it->leads;
      it->lead[l].qrs_onset = Earlier(it->lead[l].qrs_onset, w.onset);
      it->lead[l].qrs_offset = Later(it->lead[l].qrs_offset, w.offset);
      if (it->lead[l].qrs_peak == kNone) it->lead[l].qrs_peak = w.peak;
    }
  }
  std::sort(beats.begin(), beats.end(),
            [](const Beat& a, const Beat& b) { return a.qrs_onset < b.qrs_onset; });
  for (size_t k = 0; k < beats.size(); ++k) {
    Beat& b = beats[k];
    const int64_t next =
        k + 1 < beats.size() ? beats[k + 1].qrs_onset : std::numeric_limits<int64_t>::max();
    for (size_t l = 0; l < leads.size(); ++l) {
      LeadWaves& own = b.lead[l];
      for (const Wave& w : leads[l]) {
        if (w.kind == 'p' && w.peak < b.qrs_onset && w.peak >= b.qrs_onset - samples(500)) {
          b.p_onset = std::min(b.p_onset, w.onset);
          b.p_offset = std::max(b.p_offset, w.offset);
          own.p_onset = Earlier(own.p_onset, w.onset);
          own.p_offset = Later(own.p_offset, w.offset);
        } else if (w.kind == 't' && w.peak > b.qrs_offset && w.peak < next) {
          b.t_offset = std::max(b.t_offset, w.offset);
          own.t_offset = Later(own.t_offset, w.offset);
        }
      }
    }
  }
  LudbReference ref;
  double p = 0, pr = 0, qrs = 0, qt = 0;
  size_t np = 0, nqt = 0;
  const double ms = 1000.0 / rate_hz;
  std::vector<const Beat*> counted;
  for (const Beat& b : beats) {
    if (b.leads < 6) continue;
    counted.push_back(&b);
    ++ref.beats;
    LudbBeat& out = ref.beat_boundaries.emplace_back();
    out.qrs_onset = b.qrs_onset;
    out.qrs_offset = b.qrs_offset;
    if (b.p_offset >= 0) {
      out.p_onset = b.p_onset;
      out.p_offset = b.p_offset;
    }
    out.t_offset = b.t_offset;
    qrs += (b.qrs_offset - b.qrs_onset) * ms;
    if (b.p_offset >= 0) {
      p += (b.p_offset - b.p_onset) * ms;
      pr += (b.qrs_onset - b.p_onset) * ms;
      ++np;
    }
    if (b.t_offset >= 0) {
      qt += (b.t_offset - b.qrs_onset) * ms;
      ++nqt;
    }
  }
  AddMean(ref.qrs_ms, qrs, ref.beats);
  AddMean(ref.p_ms, p, np);
  AddMean(ref.pr_ms, pr, np);
  AddMean(ref.qt_ms, qt, nqt);
  ref.lead_median = LeadMedianIntervals(counted, ms);
  return ref;
}

}  // namespace ecg
