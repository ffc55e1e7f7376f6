#include "waveform/wfdb.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "waveform/civil_time.h"
#include "waveform/error.h"

namespace ecg {
namespace {

constexpr size_t kMaxSignals = 256;

struct SignalSpec {
  std::string file;
  int format = 0;
  uint64_t byte_offset = 0;
  double gain = 200;  // ADC units per physical unit
  double baseline = 0;
  std::string units = "mV";
  std::optional<int64_t> checksum;
  std::string description;
};

struct Header {
  std::string name;
  double rate_hz = 250;
  std::optional<uint64_t> samples;
  std::string base_time, base_date;
  std::vector<SignalSpec> signals;
};

[[noreturn]] void Malformed(const std::string& path, int line, const std::string& what) {
  throw Error::Corruption("WFDB header " + path + " line " + std::to_string(line) + ": " + what);
}

double ParseNumber(const std::string& text, const std::string& path, int line, const char* field) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v)) {
    Malformed(path, line, std::string("bad ") + field + " '" + text + "'");
  }
  return v;
}

// "fs[/counter][(base)]"
double ParseRate(std::string text, const std::string& path, int line) {
  text = text.substr(0, text.find_first_of("/("));
  const double rate = ParseNumber(text, path, line, "sampling frequency");
  if (!(rate > 0)) Malformed(path, line, "sampling frequency must be positive");
  return rate;
}

void ParseRecordLine(const std::string& text, Header& h, const std::string& path, int line) {
  std::istringstream in(text);
  std::string nsig, fs, nsamp;
  in >> h.name >> nsig >> fs >> nsamp >> h.base_time >> h.base_date;
  if (h.name.find('/') != std::string::npos) {
    throw Error::Unsupported("WFDB header " + path + ": multi-segment records are not supported");
  }
  const double count = ParseNumber(nsig, path, line, "number of signals");
  if (count < 1 || count > kMaxSignals || count != std::floor(count)) {
    Malformed(path, line, "number of signals must be 1.." + std::to_string(kMaxSignals));
  }
  h.signals.reserve(static_cast<size_t>(count));
  if (!fs.empty()) h.rate_hz = ParseRate(fs, path, line);
  if (!nsamp.empty()) {
    const double n = ParseNumber(nsamp, path, line, "number of samples");
    if (n < 0 || n != std::floor(n) || n > 1e12) Malformed(path, line, "bad number of samples");
    if (n > 0) h.samples = static_cast<uint64_t>(n);
  }
}

// "format[xN][:skew][+offset]"
void ParseFormat(const std::string& text, SignalSpec& s, const std::string& path, int line) {
  const size_t plus = text.find('+');
  std::string head = text.substr(0, plus);
  if (plus != std::string::npos) {
    s.byte_offset = static_cast<uint64_t>(ParseNumber(text.substr(plus + 1), path, line, "offset"));
  }
  for (const char* marker : {"x", ":"}) {
    const size_t at = head.find(marker);
    if (at == std::string::npos) continue;
    const double v = ParseNumber(head.substr(at + 1), path, line, "format modifier");
    if (v != (marker[0] == 'x' ? 1 : 0)) {
      throw Error::Unsupported("WFDB header " + path + " line " + std::to_string(line) +
                               ": sample multipliers and skew are not supported");
    }
    head = head.substr(0, at);
  }
  s.format = static_cast<int>(ParseNumber(head, path, line, "format"));
  if (s.format != 16 && s.format != 212) {
    throw Error::Unsupported("WFDB header " + path + " line " + std::to_string(line) +
                             ": signal format " + head + " (only 16 and 212 are supported)");
  }
}

// "gain[(baseline)][/units]"; returns whether a baseline was given.
bool ParseGain(const std::string& text, SignalSpec& s, const std::string& path, int line) {
  const size_t slash = text.find('/');
  if (slash != std::string::npos) s.units = text.substr(slash + 1);
  std::string head = text.substr(0, slash);
  bool has_baseline = false;
  const size_t open = head.find('(');
  if (open != std::string::npos) {
    const size_t close = head.find(')', open);
    if (close == std::string::npos) Malformed(path, line, "unclosed baseline in '" + text + "'");
    s.baseline = ParseNumber(head.substr(open + 1, close - open - 1), path, line, "baseline");
    has_baseline = true;
    head = head.substr(0, open);
  }
  s.gain = ParseNumber(head, path, line, "gain");
  if (s.gain == 0) s.gain = 200;  // WFDB's default
  return has_baseline;
}

SignalSpec ParseSignalLine(const std::string& text, const std::string& path, int line) {
  std::istringstream in(text);
  SignalSpec s;
  std::string format, gain, resolution, zero, initial, checksum, block;
  in >> s.file >> format;
  if (format.empty()) Malformed(path, line, "signal line needs a file name and a format");
  ParseFormat(format, s, path, line);
  in >> gain >> resolution >> zero >> initial >> checksum >> block;
  bool has_baseline = false;
  if (!gain.empty()) has_baseline = ParseGain(gain, s, path, line);
  if (!zero.empty() && !has_baseline) s.baseline = ParseNumber(zero, path, line, "ADC zero");
  if (!checksum.empty()) {
    s.checksum = static_cast<int64_t>(ParseNumber(checksum, path, line, "checksum"));
  }
  std::getline(in >> std::ws, s.description);
  while (!s.description.empty() && std::isspace(static_cast<unsigned char>(s.description.back()))) {
    s.description.pop_back();
  }
  return s;
}

Header ReadHeader(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw Error::NotFound("WFDB header " + path + " not found");
  Header h;
  std::string text;
  bool have_record_line = false;
  int line = 0;
  while (std::getline(file, text)) {
    ++line;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    const size_t first = text.find_first_not_of(" \t");
    if (first == std::string::npos || text[first] == '#') continue;
    if (!have_record_line) {
      ParseRecordLine(text, h, path, line);
      have_record_line = true;
    } else if (h.signals.size() < h.signals.capacity()) {
      h.signals.push_back(ParseSignalLine(text, path, line));
    }
  }
  if (!have_record_line) Malformed(path, line, "no record line");
  if (h.signals.size() < h.signals.capacity()) {
    Malformed(path, line,
              "the record line announces " + std::to_string(h.signals.capacity()) +
                  " signals, the header describes " + std::to_string(h.signals.size()));
  }
  return h;
}

std::vector<uint8_t> ReadBytes(const std::string& path, uint64_t offset,
                               std::optional<uint64_t> wanted) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) throw Error::NotFound("WFDB signal file " + path + " not found");
  const uint64_t size = static_cast<uint64_t>(file.tellg());
  if (offset > size)
    throw Error::Corruption("WFDB signal file " + path + " is shorter than its offset");
  const uint64_t available = size - offset;
  if (wanted && *wanted > available) {
    throw Error::Corruption("WFDB signal file " + path + " holds " + std::to_string(available) +
                            " bytes, the header needs " + std::to_string(*wanted));
  }
  std::vector<uint8_t> bytes(wanted ? *wanted : available);
  file.seekg(static_cast<std::streamoff>(offset));
  file.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!file) throw Error::Unavailable("WFDB signal file " + path + ": read failed");
  return bytes;
}

uint64_t BytesFor(int format, uint64_t values) {
  return format == 16 ? 2 * values : (3 * values + 1) / 2;
}

// Raw sample v of the interleaved stream.
int32_t RawSample(const std::vector<uint8_t>& b, int format, uint64_t v) {
  if (format == 16) return static_cast<int16_t>(b[2 * v] | (b[2 * v + 1] << 8));
  const uint64_t at = 3 * (v / 2);
  int32_t raw =
      (v % 2 == 0) ? (b[at] | ((b[at + 1] & 0x0F) << 8)) : (b[at + 2] | ((b[at + 1] & 0xF0) << 4));
  return raw >= 2048 ? raw - 4096 : raw;
}

std::optional<double> MicrovoltsPerUnit(const std::string& units) {
  if (units == "mV") return 1000.0;
  if (units == "uV" || units == "\xC2\xB5V" || units == "\xCE\xBCV") return 1.0;
  if (units == "V") return 1e6;
  if (units == "nV") return 1e-3;
  return std::nullopt;
}

std::string Folder(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

// Reads the signals stored in one file (indices `members` of the header) into channels.
void ReadSignalFile(const Header& h, const std::vector<size_t>& members, const std::string& dir,
                    uint64_t* samples, std::vector<Channel>& channels) {
  const SignalSpec& first = h.signals[members[0]];
  const uint64_t frame = members.size();
  const std::string path = dir + first.file;
  std::optional<uint64_t> wanted;
  if (h.samples) wanted = BytesFor(first.format, *h.samples * frame);
  const std::vector<uint8_t> bytes = ReadBytes(path, first.byte_offset, wanted);
  const uint64_t values = first.format == 16 ? bytes.size() / 2 : bytes.size() * 2 / 3;
  const uint64_t n = h.samples ? *h.samples : values / frame;
  if (*samples != 0 && *samples != n) {
    throw Error::Unsupported("WFDB record " + h.name + ": signal files of different lengths");
  }
  *samples = n;
  const int32_t invalid = first.format == 16 ? -32768 : -2048;
  for (size_t k = 0; k < members.size(); ++k) {
    const SignalSpec& s = h.signals[members[k]];
    Channel& c = channels[members[k]];
    const std::optional<double> scale = MicrovoltsPerUnit(s.units);
    c.label = scale ? s.description : s.description + " [" + s.units + "]";
    c.lead = scale ? LeadFromName(s.description) : std::nullopt;
    c.samples_uV.resize(n);
    int64_t sum = 0;
    for (uint64_t t = 0; t < n; ++t) {
      const int32_t raw = RawSample(bytes, first.format, t * frame + k);
      sum += raw;
      if (raw == invalid) {
        c.samples_uV[t] = 0.0f;
        ++c.padding_samples;
      } else {
        c.samples_uV[t] = static_cast<float>((raw - s.baseline) / s.gain * scale.value_or(1.0));
      }
    }
    if (s.checksum && *s.checksum != 0 && h.samples && ((sum - *s.checksum) & 0xFFFF) != 0) {
      throw Error::Corruption("WFDB signal file " + path + ": checksum of signal '" +
                              s.description + "' does not match the header");
    }
  }
}

std::optional<int64_t> BaseTime(const Header& h) {
  int hh = 0, mm = 0, day = 0, month = 0, year = 0;
  double ss = 0;
  if (h.base_date.empty() || std::sscanf(h.base_time.c_str(), "%d:%d:%lf", &hh, &mm, &ss) != 3 ||
      std::sscanf(h.base_date.c_str(), "%d/%d/%d", &day, &month, &year) != 3) {
    return std::nullopt;
  }
  return CivilToMs(year, month, day, hh, mm, ss);
}

}  // namespace

WfdbRecord ReadWfdbRecord(const std::string& header_path_without_extension) {
  const std::string header_path = header_path_without_extension + ".hea";
  const Header h = ReadHeader(header_path);
  WfdbRecord record;
  record.record_name = h.name;
  record.base_time_ms = BaseTime(h);
  WaveformGroup& group = record.group;
  group.label = "RHYTHM";
  group.original = true;
  group.sample_rate_hz = h.rate_hz;
  group.channels.resize(h.signals.size());
  // Signals stored in the same file share its frames; files in order of first mention.
  std::vector<std::string> files;
  for (const SignalSpec& s : h.signals) {
    if (std::find(files.begin(), files.end(), s.file) == files.end()) files.push_back(s.file);
  }
  uint64_t samples = 0;
  for (const std::string& file : files) {
    std::vector<size_t> members;
    for (size_t i = 0; i < h.signals.size(); ++i) {
      if (h.signals[i].file != file) continue;
      if (!members.empty() && h.signals[i].format != h.signals[members[0]].format) {
        throw Error::Unsupported("WFDB header " + header_path + ": file " + file +
                                 " mixes signal formats");
      }
      members.push_back(i);
    }
    ReadSignalFile(h, members, Folder(header_path), &samples, group.channels);
  }
  group.samples_per_channel = samples;
  return record;
}

}  // namespace ecg
